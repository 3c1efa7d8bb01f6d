# Models arrive with the issue that builds this part of the portal.

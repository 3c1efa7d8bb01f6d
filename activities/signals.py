"""The hooks other parts of the portal attach to when sessions change.

Bookings connect here to tell residents who hold places: ``occurrences_cancelled`` is
sent once per cancelling action, after the transaction commits, with the ids of the
sessions cancelled and the reason staff gave; ``occurrences_moved`` likewise with the ids
of the sessions whose time or room changed.
"""

from django.dispatch import Signal

# Arguments: occurrence_ids (list[int]), reason (str).
occurrences_cancelled = Signal()
# Arguments: occurrence_ids (list[int]).
occurrences_moved = Signal()
# Arguments: activity_id (int). Sent when an activity's places go up, so that waiting
# lists can be offered the new places.
capacity_raised = Signal()

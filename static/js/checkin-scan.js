/*
 * Check-in by camera on the roster page: reads the QR code of a pass with the phone's
 * back camera and sends its code through the typed-code form, as if staff had typed it.
 *
 * Uses the browser's own BarcodeDetector where it has one, otherwise jsQR (served by the
 * portal from static/vendor/, fetched only when needed). The page works without this
 * file: staff type the code or tick the roster.
 *
 * After a read the page reloads with the result; the camera starts again by itself if it
 * was on (remembered for this tab only), so a queue can be scanned one pass after another.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-checkin-scanner]");
  var form = document.getElementById("code-form");
  if (!box || !form) return;
  var input = form.querySelector("input[name=code]");
  var startButton = box.querySelector("[data-scan-start]");
  var stopButton = box.querySelector("[data-scan-stop]");
  var status = box.querySelector("[data-scan-status]");
  var video = box.querySelector("[data-scan-video]");
  var canvas = box.querySelector("[data-scan-canvas]");
  var ON_KEY = "checkin-scan-on";
  var LAST_KEY = "checkin-scan-last";
  var SAME_CODE_PAUSE_MS = 15000; // the pass just read may still be in front of the camera
  var stream = null;
  var detector = null;
  var timer = null;
  var busy = false;

  function say(name) {
    status.textContent = box.getAttribute("data-msg-" + name) || "";
  }

  function remember(key, value) {
    try {
      if (value === null) window.sessionStorage.removeItem(key);
      else window.sessionStorage.setItem(key, value);
    } catch (e) {
      /* private mode: the camera just does not restart by itself */
    }
  }

  function recall(key) {
    try {
      return window.sessionStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  // The pass code in what was read: the code itself, or the last part of a link to the pass.
  function codeFrom(text) {
    text = (text || "").trim();
    if (text.indexOf("/") !== -1) {
      var parts = text.split("?")[0].split("#")[0].split("/").filter(Boolean);
      text = parts.length ? parts[parts.length - 1] : "";
    }
    return text.replace(/[\s\-_]/g, "").toUpperCase();
  }

  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) return resolve();
      var src = box.getAttribute("data-jsqr-src");
      if (!src) return reject(new Error("no jsQR"));
      var script = document.createElement("script");
      script.src = src;
      script.onload = function () { return window.jsQR ? resolve() : reject(new Error("no jsQR")); };
      script.onerror = function () { reject(new Error("no jsQR")); };
      document.head.appendChild(script);
    });
  }

  function makeDetector() {
    if ("BarcodeDetector" in window) {
      var make = function () {
        var native = new window.BarcodeDetector({ formats: ["qr_code"] });
        return {
          read: function () {
            return native.detect(video).then(function (codes) {
              return codes.length ? codes[0].rawValue : null;
            });
          },
        };
      };
      var formats = window.BarcodeDetector.getSupportedFormats
        ? window.BarcodeDetector.getSupportedFormats()
        : Promise.resolve(["qr_code"]);
      return formats.then(function (list) {
        if (list.indexOf("qr_code") !== -1) return make();
        return jsQRDetector();
      }, jsQRDetector);
    }
    return jsQRDetector();
  }

  function jsQRDetector() {
    return loadJsQR().then(function () {
      var context = canvas.getContext("2d", { willReadFrequently: true });
      return {
        read: function () {
          var width = video.videoWidth;
          var height = video.videoHeight;
          if (!width || !height) return Promise.resolve(null);
          // A smaller picture is read faster and a pass fills most of the frame anyway.
          var scale = Math.min(1, 640 / Math.max(width, height));
          canvas.width = Math.round(width * scale);
          canvas.height = Math.round(height * scale);
          context.drawImage(video, 0, 0, canvas.width, canvas.height);
          var image = context.getImageData(0, 0, canvas.width, canvas.height);
          var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
          return Promise.resolve(found ? found.data : null);
        },
      };
    });
  }

  function stop(forget) {
    if (timer) window.clearTimeout(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
    if (forget) {
      remember(ON_KEY, null);
      status.textContent = "";
    }
  }

  function submit(code) {
    var last = (recall(LAST_KEY) || "").split("|");
    if (last[0] === code && Date.now() - Number(last[1] || 0) < SAME_CODE_PAUSE_MS) return false;
    remember(LAST_KEY, code + "|" + Date.now());
    say("read");
    stop(false);
    input.value = code;
    form.submit();
    return true;
  }

  function scan() {
    if (!stream || busy) return;
    busy = true;
    detector
      .read()
      .then(function (text) {
        busy = false;
        var code = text ? codeFrom(text) : "";
        if (code && submit(code)) return;
        timer = window.setTimeout(scan, 200);
      })
      .catch(function () {
        busy = false;
        timer = window.setTimeout(scan, 400);
      });
  }

  function start() {
    if (!window.isSecureContext) return say("insecure");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return say("unsupported");
    say("starting");
    startButton.hidden = true;
    makeDetector()
      .then(function (made) {
        detector = made;
        return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        stopButton.hidden = false;
        remember(ON_KEY, "1");
        if (document.activeElement === input) input.blur(); // no on-screen keyboard over the picture
        return video.play();
      })
      .then(function () {
        say("scanning");
        scan();
      })
      .catch(function (error) {
        stop(true);
        var name = error && error.name;
        if (name === "NotAllowedError" || name === "SecurityError") say("denied");
        else if (name === "NotFoundError" || name === "OverconstrainedError") say("nocamera");
        else if (error && error.message === "no jsQR") say("unsupported");
        else say("failed");
      });
  }

  box.hidden = false;
  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", function () { stop(true); });
  window.addEventListener("pagehide", function () { stop(false); });
  if (recall(ON_KEY) === "1") start();
})();

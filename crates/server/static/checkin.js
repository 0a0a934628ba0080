// The check-in page's camera: where the browser has BarcodeDetector, scan a
// registration's QR code and submit it; elsewhere the typed code works alone.
(function () {
  "use strict";
  var box = document.querySelector("[data-scanner]");
  if (!box || !("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  box.hidden = false;
  var video = box.querySelector("[data-scanner-video]");
  var start = box.querySelector("[data-scanner-start]");
  var form = document.getElementById("check-in-form");
  var input = document.getElementById("code");
  start.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.play();
      start.hidden = true;
      var scan = function () {
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            var text = codes[0].rawValue;
            // The QR code holds the check-in link; its code parameter is the code.
            var m = /[?&]code=([^&#]+)/.exec(text);
            input.value = m ? decodeURIComponent(m[1]) : text;
            stream.getTracks().forEach(function (t) { t.stop(); });
            form.submit();
          } else {
            window.requestAnimationFrame(scan);
          }
        }).catch(function () { window.requestAnimationFrame(scan); });
      };
      scan();
    }).catch(function () { box.hidden = true; input.focus(); });
  });
})();

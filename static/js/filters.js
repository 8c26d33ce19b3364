// On a phone the filter form folds away so the results come first; it stays open when it has
// errors to show.
(function () {
  if (!window.matchMedia("(max-width: 760px)").matches) return;
  document.querySelectorAll("details.filter-box").forEach(function (box) {
    if (!box.querySelector(".form-errors")) box.removeAttribute("open");
  });
})();

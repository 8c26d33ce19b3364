// On a phone the filter form folds away so the results come first; it stays open when it has
// errors to show. The active filters stay visible above the results as chips.
(function () {
  if (!window.matchMedia("(max-width: 760px)").matches) return;
  document.querySelectorAll("details.filter-box").forEach(function (box) {
    if (!box.querySelector(".form-errors")) box.removeAttribute("open");
  });
})();

// The company box suggests names as you type, from the public API. Without JavaScript the box
// still takes a name, another name or a ticker, and the server finds the company.
(function () {
  var input = document.querySelector("input[data-suggest]");
  var list = input && document.getElementById(input.getAttribute("list"));
  if (!list || !window.fetch) return;
  var timer = null;
  var last = "";
  input.addEventListener("input", function () {
    var text = input.value.trim();
    if (text.length < 2 || text === last) return;
    last = text;
    clearTimeout(timer);
    timer = setTimeout(function () {
      var url = input.getAttribute("data-suggest") + "?limit=8&q=" + encodeURIComponent(text);
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          list.replaceChildren();
          data.results.forEach(function (company) {
            var option = document.createElement("option");
            option.value = company.name;
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 150);
  });
})();

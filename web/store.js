// Demo-only bag counter, so the page feels alive (a file, not inline: the page's CSP allows no
// inline script).
document.querySelectorAll(".add").forEach(function (b) {
  b.addEventListener("click", function () {
    var n = document.getElementById("bag-count");
    n.textContent = String(Number(n.textContent) + 1);
  });
});

/* Progressive enhancement only: the certificate's page offers a Print button when
   JavaScript runs; without it the page is printed with the browser's own command. */
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("print-button");
  if (!button) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});

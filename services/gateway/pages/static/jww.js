/* Progressive enhancement only: every page works without this file.
   Recording an intervention: once a way of intervening is chosen, only its own
   sub-kinds are offered (without JavaScript all are, grouped by way, and the
   service refuses a sub-kind of another way, naming the field). */
document.addEventListener("DOMContentLoaded", function () {
  var method = document.getElementById("method");
  var subKind = document.getElementById("sub_kind");
  if (!method || !subKind) {
    return;
  }
  function offer() {
    subKind.querySelectorAll("optgroup").forEach(function (group) {
      var shown = !method.value || group.getAttribute("data-method") === method.value;
      group.hidden = !shown;
      group.disabled = !shown;
    });
    var chosen = subKind.options[subKind.selectedIndex];
    if (chosen && chosen.parentElement.disabled) {
      subKind.value = "";
    }
  }
  method.addEventListener("change", offer);
  offer();
});

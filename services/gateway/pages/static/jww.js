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

/* Registering a client: the national register number is checked as it is typed (its
   check digits, for people born before and from 2000), as intake checks it again on
   submit. Only the digits count: spaces, dots, dashes and slashes are how people write it. */
document.addEventListener("DOMContentLoaded", function () {
  var field = document.getElementById("national_number");
  var message = document.getElementById("national_number-live");
  if (!field || !message) {
    return;
  }
  function valid(digits) {
    var base = parseInt(digits.slice(0, 9), 10);
    var check = parseInt(digits.slice(9), 10);
    return check === 97 - (base % 97) || check === 97 - ((2000000000 + base) % 97);
  }
  function checkNow(finished) {
    var text = field.value.trim();
    var digits = text.replace(/[\s.\-\/]/g, "");
    var wrong = text !== "" && (/[^0-9]/.test(digits) || digits.length > 11 ||
      (digits.length === 11 && !valid(digits)) || (finished && digits.length !== 11));
    message.hidden = !wrong;
    field.setAttribute("aria-invalid", wrong ? "true" : "false");
  }
  field.addEventListener("input", function () { checkNow(false); });
  field.addEventListener("blur", function () { checkNow(true); });
});

// Small enhancements; every page works without them.
document.addEventListener("htmx:afterSwap", (event) => {
  // An inline reply form was just loaded: put the cursor in it.
  const textarea = event.detail.target.querySelector("textarea");
  if (textarea) textarea.focus();
});

// A suggested claim was picked: put its words in the row's claim field.
document.addEventListener("click", (event) => {
  const suggestion = event.target.closest(".suggestion");
  if (!suggestion) return;
  const row = suggestion.closest(".tag-row");
  row.querySelector(".claim-input").value = suggestion.dataset.claim;
  row.querySelector(".suggestions").innerHTML = "";
  row.querySelector("select").focus();
});

// "Add another claim" shows the next claim row in place; without scripts the button asks
// the server for the form again, with one more row.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".add-claim");
  if (!button) return;
  const rows = button.closest(".tag-rows");
  const next = rows.querySelector(".tag-row[hidden]");
  if (!next) return;
  event.preventDefault();
  next.hidden = false;
  rows.querySelector("input[name=claim_rows]").value =
    rows.querySelectorAll(".tag-row:not([hidden])").length;
  button.hidden = !rows.querySelector(".tag-row[hidden]");
  next.querySelector(".claim-input").focus();
});

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

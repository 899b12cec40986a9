// Small enhancements; every page works without them.
document.addEventListener("htmx:afterSwap", (event) => {
  // An inline reply form was just loaded: put the cursor in it.
  const textarea = event.detail.target.querySelector("textarea");
  if (textarea) textarea.focus();
});

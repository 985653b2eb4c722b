// Small page behaviours shared by every page. htmx does the requests; this only polishes.
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  const text = status === 403 ? "You are not allowed to do that." : `The server answered ${status}. Please try again.`;
  let box = document.getElementById("htmx-error");
  if (!box) {
    box = document.createElement("div");
    box.id = "htmx-error";
    box.className = "message message-error toast";
    box.setAttribute("role", "alert");
    document.body.appendChild(box);
  }
  box.textContent = text;
  clearTimeout(box.hideTimer);
  box.hideTimer = setTimeout(() => box.remove(), 6000);
});

// Collects script errors into the page, so a headless browser's DOM dump shows them.
window.moe4jErrors = [];
function moe4jReportError(text) {
  window.moe4jErrors.push(text);
  var el = document.getElementById('moe4j-errors');
  if (el) el.textContent = window.moe4jErrors.join('\n');
}
window.onerror = function (message, source, line, column) {
  moe4jReportError(message + ' (' + source + ':' + line + ':' + column + ')');
};
window.addEventListener('unhandledrejection', function (e) { moe4jReportError('unhandled rejection: ' + e.reason); });

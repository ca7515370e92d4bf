// Offers text the service sent (a CSV export arrives inside Sugar's relay envelope) as a file download: a Blob and a
// temporary link with the download attribute, so the browser never calls anything but Sugar.
export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The browser has taken the file once the click is handled; the URL is not needed after that.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// The public survey page: a rating chosen from an email's one-click link is sent
// once the page has loaded in a browser (link scanners that only fetch the URL
// record nothing), and choosing a rating on a survey without comment sends it.
const form = document.querySelector("form.survey-form");
if (form && form.dataset.autosubmit === "1" && form.querySelector("input[name=score]:checked")) {
  form.dataset.autosubmit = "";
  form.requestSubmit();
}

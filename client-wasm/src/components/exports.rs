//! Links to a café's exports (JSON, CSV, the Markdown report, the impact report), for the organiser: on the
//! create page once the café exists, and in the console.

use crate::api;
use crate::i18n::T;
use yew::prelude::*;

pub fn export_links(t: T, cafe: &str, token: &str) -> Html {
    html! {
        <div class="exports">
            <p class="label">{ t.t("export.title") }</p>
            <div class="link-grid">
                <a class="btn btn-small" href={api::export_url(cafe, "json", token)} download="">{ t.t("export.json") }</a>
                <a class="btn btn-small" href={api::export_url(cafe, "csv", token)} download="">{ t.t("export.csv") }</a>
                <a class="btn btn-small" id="export-actions" href={api::export_file_url(cafe, "export-actions.csv", token)} download="">{ t.t("export.actions_csv") }</a>
                <a class="btn btn-small" href={api::export_url(cafe, "md", token)} download="">{ t.t("export.md") }</a>
                // A page to read and print, not a file: it opens beside the console.
                <a class="btn btn-small" id="export-report" href={api::export_file_url(cafe, "report.html", token)} target="_blank" rel="noopener">{ t.t("export.report") }</a>
            </div>
        </div>
    }
}

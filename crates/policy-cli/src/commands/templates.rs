//! `portcullis policy templates` and `portcullis policy template NAME [--param k=v…]`.

use std::io::Write;

use portcullis_policy::templates::{self, TemplateListing, TemplateParameters};
use serde::Serialize;

use crate::error::CliError;
use crate::output;

/// Lists the templates: one line each (slug, ID, scenarios, name), or the Graph
/// `{"value":[conditionalAccessTemplate…]}` shape with `json`; with `parameters`, each
/// template's parameters follow its line.
pub(crate) fn list(out: &mut impl Write, json: bool, parameters: bool) -> Result<(), CliError> {
    let all = templates::all();
    if json {
        #[derive(Serialize)]
        struct Listing {
            value: Vec<TemplateListing>,
        }
        let value = all
            .iter()
            .map(|template| template.listing())
            .collect::<Result<Vec<_>, _>>()?;
        return output::json(out, &Listing { value });
    }
    for template in &all {
        let origin = if template.microsoft_id {
            "microsoft"
        } else {
            "portcullis"
        };
        let scenarios = if template.scenarios.is_empty() {
            "-".to_owned()
        } else {
            template.scenarios.to_wire()
        };
        writeln!(
            out,
            "{:<36}  {} ({origin})  [{scenarios}]  {}",
            template.slug, template.id, template.name
        )?;
        if parameters {
            for spec in template.parameters() {
                writeln!(
                    out,
                    "    --param {}=…  ({}) {}",
                    spec.name,
                    spec.kind.describe(),
                    spec.description
                )?;
            }
        }
    }
    Ok(())
}

/// Prints an instance of the template `name` with `parameters` (`key=value`).
pub(crate) fn instance(
    out: &mut impl Write,
    name: &str,
    parameters: &[String],
) -> Result<(), CliError> {
    let parameters = TemplateParameters::parse(parameters)?;
    let policy = templates::instantiate(name, &parameters)?;
    output::json(out, &policy)
}

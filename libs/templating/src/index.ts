export { HandlebarsTemplateEngine } from './handlebars-template.engine';
export { checkRenderedBody } from './rendered-body.check';

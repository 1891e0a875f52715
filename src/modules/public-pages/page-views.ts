import { Eta } from 'eta';

/** The public pages' templates (views/), for every module that serves a page. */
export const views = new Eta({ views: new URL('./views', import.meta.url).pathname, autoEscape: true, cache: true });

/** A view rendered inside the site's layout (header, footer, stylesheet). */
export const renderPage = (title: string, view: string, data: object) => views.render('./layout', { title, body: views.render(view, data) });

/**
 * Plotly figures (and matplotlib figures converted to Plotly) drawn
 * interactively by plotly.js, sized to the panel. Loaded on demand.
 */
import Plotly from "plotly.js-dist-min";
import { api } from "../api";

export async function mount(el: HTMLElement, a: { url: string }): Promise<() => void> {
  const fig = await api.fileJSON<{ data: any[]; layout?: any }>(a.url);
  const layout = { ...(fig.layout ?? {}), autosize: true, height: 320, margin: { l: 50, r: 20, t: 40, b: 40 } };
  delete layout.width;
  await Plotly.newPlot(el, fig.data ?? [], layout, { displaylogo: false, responsive: true, showLink: false,
    modeBarButtonsToRemove: ["sendDataToCloud"] });
  return () => Plotly.purge(el);
}

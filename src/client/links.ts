import type { Config } from '../config/schema';

/** The Temporal Web UI page of one workflow, printed by every tool that touches it. */
export const workflowUiUrl = (config: Config, workflowId: string): string =>
  `http://localhost:${config.temporal.uiPort}/namespaces/${encodeURIComponent(
    config.temporal.namespace,
  )}/workflows/${encodeURIComponent(workflowId)}`;

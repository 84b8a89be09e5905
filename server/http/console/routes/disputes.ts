import type { Context, Hono } from 'hono';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import type { ConsoleAdapters } from '../adapters/index.ts';
import { type ConsoleEnv, pageContext, requireSession } from '../console-env.ts';
import { acceptForm } from '../form.ts';
import { render } from '../html.ts';
import { DisputePage } from '../pages/dispute.ts';
import { DisputesPage } from '../pages/disputes.ts';
import { notFoundPage } from './not-found.ts';

export function registerDisputes(web: Hono<ConsoleEnv>, services: Services, adapters: ConsoleAdapters) {
  const session = requireSession(services);
  const { configs, disputes } = adapters;

  web.get('/disputes', session, async (c) => {
    const status =
      (['open', 'resolved', 'dismissed'] as const).find((s) => s === c.req.query('status')) ?? 'open';
    const configId = c.req.query('configId') || undefined;
    const all = await configs.list();
    const systemId = c.req.query('systemId');
    const ofSystem = systemId ? new Set(all.filter((x) => x.systemId === systemId).map((x) => x.id)) : null;
    const list = (await disputes.list({ status, configId })).filter(
      (d) => !ofSystem || ofSystem.has(d.configId),
    );
    return render(
      c,
      DisputesPage({
        page: pageContext(c),
        disputes: list,
        configs: all,
        status,
        configId,
        available: disputes.available,
      }),
    );
  });

  const showDispute = async (c: Context<ConsoleEnv>, id: string, problem?: string) => {
    const dispute = await disputes.get(id);
    if (!dispute) return notFoundPage(c, 'dispute');
    const config = (await configs.get(dispute.configId)) ?? undefined;
    return render(c, DisputePage({ page: pageContext(c), dispute, config, problem }), problem ? 409 : 200);
  };

  web.get('/disputes/:id', session, (c) => showDispute(c, c.req.param('id')));

  web.post('/disputes/:id/resolve', session, acceptForm('resolveDisputes'), async (c) => {
    const id = c.req.param('id');
    const form = c.get('form');
    const idmObjectId = form.text('idmObjectId');
    const decision =
      form.text('dismiss') === 'true' ? ({ dismiss: true } as const) : idmObjectId ? { idmObjectId } : null;
    if (!decision) return showDispute(c, id, 'Choose a candidate to link, or dismiss the dispute.');
    const resolved = await disputes.resolve(id, decision, c.get('person'));
    switch (resolved.outcome) {
      case 'resolved':
      case 'dismissed':
        return c.redirect(`/disputes/${id}`, 303);
      case 'already_decided':
        return showDispute(c, id, `This dispute was ${resolved.status} already.`);
      case 'not_a_candidate':
        return showDispute(c, id, 'That IDM object is not one of the candidates of this dispute.');
      case 'config_not_found':
        return showDispute(c, id, 'The config of this dispute no longer exists.');
      case 'not_found':
        return notFoundPage(c, 'dispute');
      default:
        return unhandled(resolved);
    }
  });
}

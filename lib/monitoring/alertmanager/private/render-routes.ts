import { AlertRoute, InhibitRule, RootAlertRoute, RouteTiming } from "../alert-route";
import { RenderedInhibitRule, RenderedRoute } from "../rendered-config";
import { RenderContext } from "./render-context";

export function renderRootRoute(ctx: RenderContext, route: RootAlertRoute, receivers: ReadonlySet<string>): RenderedRoute {
  return {
    receiver: receiverName(ctx, "route.receiver", route.receiver, receivers),
    ...renderTiming(ctx, "route", route),
    ...renderChildren(ctx, "route", route.routes, receivers),
  };
}

function renderRoute(ctx: RenderContext, prop: string, route: AlertRoute, receivers: ReadonlySet<string>): RenderedRoute {
  return {
    ...(route.receiver !== undefined ? { receiver: receiverName(ctx, `${prop}.receiver`, route.receiver, receivers) } : {}),
    ...(route.matchers !== undefined ? { matchers: ctx.matchers(`${prop}.matchers`, route.matchers) } : {}),
    ...renderTiming(ctx, prop, route),
    ...(route.continue !== undefined ? { continue: route.continue } : {}),
    ...renderChildren(ctx, prop, route.routes, receivers),
  };
}

function renderChildren(
  ctx: RenderContext,
  prop: string,
  routes: readonly AlertRoute[] | undefined,
  receivers: ReadonlySet<string>,
): Pick<RenderedRoute, "routes"> {
  if (routes === undefined || routes.length === 0) return {};
  return { routes: routes.map((child, i) => renderRoute(ctx, `${prop}.routes[${i}]`, child, receivers)) };
}

function renderTiming(ctx: RenderContext, prop: string, t: RouteTiming): RenderedRoute {
  return {
    ...(t.groupBy !== undefined ? { group_by: ctx.groupBy(`${prop}.groupBy`, t.groupBy) } : {}),
    ...(t.groupWait !== undefined ? { group_wait: ctx.duration(`${prop}.groupWait`, t.groupWait, false) } : {}),
    ...(t.groupInterval !== undefined ? { group_interval: ctx.duration(`${prop}.groupInterval`, t.groupInterval, true) } : {}),
    ...(t.repeatInterval !== undefined ? { repeat_interval: ctx.duration(`${prop}.repeatInterval`, t.repeatInterval, true) } : {}),
  };
}

function receiverName(ctx: RenderContext, prop: string, name: string, receivers: ReadonlySet<string>): string {
  if (!receivers.has(name)) {
    throw ctx.error(prop, name, `must name a declared receiver (${[...receivers].join(", ")})`);
  }
  return name;
}

export function renderInhibitRules(ctx: RenderContext, rules: readonly InhibitRule[]): RenderedInhibitRule[] {
  return rules.map((rule, i) => {
    const prop = `inhibitRules[${i}]`;
    // An empty side matches every alert: a rule that mutes everything is never what was meant.
    for (const side of ["sourceMatchers", "targetMatchers"] as const) {
      if (rule[side].length === 0) throw ctx.error(`${prop}.${side}`, [], "must hold at least one matcher");
    }
    return {
      source_matchers: ctx.matchers(`${prop}.sourceMatchers`, rule.sourceMatchers),
      target_matchers: ctx.matchers(`${prop}.targetMatchers`, rule.targetMatchers),
      ...(rule.equal !== undefined ? { equal: rule.equal.map((l, j) => ctx.labelName(`${prop}.equal[${j}]`, l)) } : {}),
    };
  });
}

import { PlatformConfigError } from "../../core/errors";
import { HEARTBEAT_LABEL } from "../rules/rule-types";
import { checkDns1123Label } from "../../core/validate";
import { AlertDuration } from "./alert-duration";
import { AlertRoute, InhibitRule } from "./alert-route";
import { AlertSeverity } from "./alert-severity";
import { AlertmanagerSecret } from "./alertmanager-secret";
import { LabelMatcher, Matcher } from "./label-matcher";
import { GROUP_BY_ALL } from "./private/render-context";
import { AlertReceiver, discardReceiver, ReceiverIntegration } from "./receivers";
import { AlertmanagerConfig } from "./render-config";

/** Alerts of one team or service, routed to its own receivers by severity. */
export interface TeamRouting {
  /** DNS-1123 label; names the receivers `team-<name>-pager` and `team-<name>-chat`. */
  readonly name: string;
  /** Which alerts belong to the team, e.g. `[Matcher.eq("team", "vision")]` or `[Matcher.oneOf("service", [...])]`. */
  readonly matchers: readonly LabelMatcher[];
  /** The team's critical alerts. @default - the platform pager receiver */
  readonly pager?: readonly ReceiverIntegration[];
  /** The team's warnings (and alerts without a known severity). @default - the platform chat receiver */
  readonly chat?: readonly ReceiverIntegration[];
}

export interface PlatformAlertRoutingOptions {
  /** Where critical alerts go; `[]` sends them nowhere (visible in Alertmanager only). @default - PagerDuty, Events v2 key from Secret `alertmanager-receivers` key `pagerduty-routing-key` */
  readonly pager?: readonly ReceiverIntegration[];
  /**
   * Where warnings go, and alerts without a known severity (so a rule with a misspelt
   * severity still reaches a human).
   * @default - Slack, incoming-webhook URL from Secret `alertmanager-receivers` key `slack-webhook-url`
   */
  readonly chat?: readonly ReceiverIntegration[];
  /**
   * The dead man's switch endpoint (healthchecks.io, Cronitor, PagerDuty heartbeat ...), which
   * raises an incident when the pings stop.
   * @default - heartbeats are discarded
   */
  readonly heartbeat?: readonly ReceiverIntegration[];
  /** Selects the heartbeat alert. @default [heartbeat="true"] */
  readonly heartbeatMatchers?: readonly LabelMatcher[];
  /** How often a firing heartbeat is re-sent (the ping period). @default 1m */
  readonly heartbeatInterval?: AlertDuration;
  /** @default - none */
  readonly teams?: readonly TeamRouting[];
  /** One notification per incident. @default DEFAULT_GROUP_BY */
  readonly groupBy?: readonly string[];
  /** @default 30s */
  readonly groupWait?: AlertDuration;
  /** @default 5m */
  readonly groupInterval?: AlertDuration;
  /** @default 4h */
  readonly repeatInterval?: AlertDuration;
  /**
   * Alerts that say a node is down; while one fires, every other alert whose `node` label
   * names that node is muted: the platform's pod-level and GPU alerts carry it (see
   * `nodeDownInhibitRule`); alerts of your own need `node` too.
   * @default DEFAULT_NODE_DOWN_ALERTS
   */
  readonly nodeDownAlerts?: readonly string[];
  /**
   * Alerts dropped outright: kube-prometheus-stack's always-firing Watchdog (unless it carries
   * the heartbeat label, which is matched first) and its InfoInhibitor helper.
   * @default DEFAULT_DISCARDED_ALERTS
   */
  readonly discardedAlerts?: readonly string[];
  /** Tried after the heartbeat and team routes, before the severity routes. @default - none */
  readonly additionalRoutes?: readonly AlertRoute[];
  /** Receivers that `additionalRoutes` name. @default - none */
  readonly additionalReceivers?: readonly AlertReceiver[];
  /** @default - none */
  readonly additionalInhibitRules?: readonly InhibitRule[];
}

/**
 * One incident is one alert name in one service of one namespace: many pods or instances
 * failing the same way become one message, while two different failures of a service stay
 * two messages. Severity is not needed here: the tree splits by severity before grouping
 * (groups are per route), and critical inhibits warning of the same group key anyway.
 */
export const DEFAULT_GROUP_BY: readonly string[] = ["alertname", "namespace", "service"];
/** kube-prometheus-stack's node alerts and the platform's GPU node alert. */
export const DEFAULT_NODE_DOWN_ALERTS: readonly string[] = ["KubeNodeNotReady", "KubeNodeUnreachable", "GpuNodeNotReady"];
export const DEFAULT_DISCARDED_ALERTS: readonly string[] = ["Watchdog", "InfoInhibitor"];
/**
 * The labels a critical alert and the warning it mutes must share. `Hostname` and `gpu` keep a
 * critical GPU alert on one GPU from muting the warning of another, `pod` and `metric` the same
 * for a service's own metrics (GPU memory critical on one pod must not mute its active-tasks
 * warning, nor another pod's): labels missing on both sides count as equal, so service alerts
 * match on alertname, namespace and service alone.
 */
export const SEVERITY_INHIBIT_EQUAL: readonly string[] = ["alertname", "namespace", "service", "Hostname", "gpu", "pod", "metric"];
/** The Secret that the default receivers read (documented in the README). */
export const DEFAULT_RECEIVERS_SECRET = "alertmanager-receivers";

/** What errors of the policy options name as the failing object, like the renderer's default. */
const SCOPE = "alertmanager";

/** Receiver names of the platform tree. "null" is the chart's own name for its black hole. */
export const PLATFORM_RECEIVERS = { pager: "pager", chat: "chat", heartbeat: "heartbeat", discard: "null" } as const;

const DEFAULT_PAGER: readonly ReceiverIntegration[] = [
  { kind: "pagerduty", key: AlertmanagerSecret.fromKubernetesSecret(DEFAULT_RECEIVERS_SECRET, "pagerduty-routing-key") },
];
const DEFAULT_CHAT: readonly ReceiverIntegration[] = [
  { kind: "slack", apiUrl: AlertmanagerSecret.fromKubernetesSecret(DEFAULT_RECEIVERS_SECRET, "slack-webhook-url") },
];
/** The label the platform's always-firing heartbeat rule carries. */
const DEFAULT_HEARTBEAT_MATCHERS: readonly LabelMatcher[] = [Matcher.eq(HEARTBEAT_LABEL.name, HEARTBEAT_LABEL.value)];
/** Ping every minute: a dead man's switch service then alarms within a few minutes of silence. */
const DEFAULT_HEARTBEAT_INTERVAL = AlertDuration.minutes(1);
/** Values of kube-prometheus-stack's default route, except repeat: 4h re-reminds within a working day. */
const DEFAULT_GROUP_WAIT = AlertDuration.seconds(30);
const DEFAULT_GROUP_INTERVAL = AlertDuration.minutes(5);
const DEFAULT_REPEAT_INTERVAL = AlertDuration.hours(4);

/**
 * The platform's routing policy: heartbeat first (never grouped), discarded chart helpers,
 * team routes, then critical -> pager, warning -> chat, info -> dropped; critical mutes the
 * warning of the same alert, a node down mutes the alerts of its pods.
 */
export function platformAlertmanagerConfig(options: PlatformAlertRoutingOptions = {}): AlertmanagerConfig {
  const pager = options.pager ?? DEFAULT_PAGER;
  const chat = options.chat ?? DEFAULT_CHAT;
  const heartbeat = options.heartbeat;
  const heartbeatMatchers = options.heartbeatMatchers ?? DEFAULT_HEARTBEAT_MATCHERS;
  const heartbeatInterval = options.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL;
  const teams = options.teams ?? [];
  const nodeDownAlerts = options.nodeDownAlerts ?? DEFAULT_NODE_DOWN_ALERTS;
  const discardedAlerts = options.discardedAlerts ?? DEFAULT_DISCARDED_ALERTS;
  const R = PLATFORM_RECEIVERS;

  // An empty list is an explicit "no channel yet": the alerts stay visible in Alertmanager.
  const receiver = (name: string, integrations: readonly ReceiverIntegration[]): AlertReceiver =>
    integrations.length === 0 ? discardReceiver(name) : { name, integrations };
  const receivers: AlertReceiver[] = [
    receiver(R.pager, pager),
    receiver(R.chat, chat),
    heartbeat ? { name: R.heartbeat, integrations: heartbeat } : discardReceiver(R.heartbeat),
    discardReceiver(R.discard),
    ...teams.flatMap((team, i) => teamReceivers(team, `teams[${i}]`)),
    ...(options.additionalReceivers ?? []),
  ];
  const routes: AlertRoute[] = [
    {
      matchers: heartbeatMatchers,
      receiver: R.heartbeat,
      // Every heartbeat alert is its own group, sent at once and re-sent every interval.
      groupBy: [GROUP_BY_ALL],
      groupWait: AlertDuration.seconds(0),
      groupInterval: heartbeatInterval,
      repeatInterval: heartbeatInterval,
    },
    ...(discardedAlerts.length > 0 ? [{ matchers: [Matcher.oneOf("alertname", discardedAlerts)], receiver: R.discard }] : []),
    ...teams.map(teamRoute),
    ...(options.additionalRoutes ?? []),
    ...severityRoutes({ critical: R.pager, warning: R.chat, info: R.discard }),
  ];
  return {
    receivers,
    route: {
      receiver: R.chat,
      groupBy: options.groupBy ?? DEFAULT_GROUP_BY,
      groupWait: options.groupWait ?? DEFAULT_GROUP_WAIT,
      groupInterval: options.groupInterval ?? DEFAULT_GROUP_INTERVAL,
      repeatInterval: options.repeatInterval ?? DEFAULT_REPEAT_INTERVAL,
      routes,
    },
    inhibitRules: [
      severityInhibitRule(),
      ...(nodeDownAlerts.length > 0 ? [nodeDownInhibitRule(nodeDownAlerts)] : []),
      ...(options.additionalInhibitRules ?? []),
    ],
  };
}

/** One child route per severity, each to its receiver. */
export function severityRoutes(receivers: Readonly<Record<AlertSeverity, string>>): AlertRoute[] {
  return (Object.keys(receivers) as AlertSeverity[]).map((severity) => ({
    matchers: [Matcher.severity(severity)],
    receiver: receivers[severity],
  }));
}

/** A critical alert mutes the warning and info alerts with the same alertname, namespace and service. */
export function severityInhibitRule(): InhibitRule {
  return {
    sourceMatchers: [Matcher.severity("critical")],
    targetMatchers: [Matcher.severity("warning", "info")],
    equal: SEVERITY_INHIBIT_EQUAL,
  };
}

/**
 * While a node-down alert fires for a node, every other alert with the same `node` label is
 * muted: the pods on a dead node fail as a consequence, and the node alert is the one message.
 *
 * The platform's rules give their targets `node`: pod-level inference alerts join it from
 * `kube_pod_info` (kube-state-metrics puts it there only), GPU alerts copy DCGM's `Hostname` (the
 * node name) into it. Service-level alerts have no single node and stay unmuted. Both sides must
 * have a non-empty `node`: a label missing on both counts as equal, and would let one source mute
 * every alert without `node`.
 */
export function nodeDownInhibitRule(nodeDownAlerts: readonly string[]): InhibitRule {
  return {
    sourceMatchers: [Matcher.oneOf("alertname", nodeDownAlerts), Matcher.present("node")],
    targetMatchers: [Matcher.noneOf("alertname", nodeDownAlerts), Matcher.present("node")],
    equal: ["node"],
  };
}

function teamReceiverName(team: TeamRouting, role: "pager" | "chat"): string {
  return `team-${team.name}-${role}`;
}

function teamReceivers(team: TeamRouting, prop: string): AlertReceiver[] {
  checkDns1123Label(SCOPE, `${prop}.name`, team.name);
  if (team.matchers.length === 0) {
    throw new PlatformConfigError(SCOPE, `${prop}.matchers`, [], "must hold at least one matcher (else the team route takes every alert)");
  }
  if (team.pager === undefined && team.chat === undefined) {
    throw new PlatformConfigError(SCOPE, prop, team.name, "must set pager or chat (else the team route changes nothing)");
  }
  return [
    ...(team.pager ? [{ name: teamReceiverName(team, "pager"), integrations: team.pager }] : []),
    ...(team.chat ? [{ name: teamReceiverName(team, "chat"), integrations: team.chat }] : []),
  ];
}

function teamRoute(team: TeamRouting): AlertRoute {
  const pager = team.pager ? teamReceiverName(team, "pager") : PLATFORM_RECEIVERS.pager;
  const chat = team.chat ? teamReceiverName(team, "chat") : PLATFORM_RECEIVERS.chat;
  return {
    matchers: team.matchers,
    receiver: chat,
    routes: severityRoutes({ critical: pager, warning: chat, info: PLATFORM_RECEIVERS.discard }),
  };
}

using System.Collections.Frozen;

namespace ClusterManager.Model.Validation;

/// <summary>The kind of value a cluster option takes.</summary>
internal enum OptionKind
{
    Text,
    Boolean,
    Time,
    Integer,
    Score,
    Select,
}

/// <summary>A cluster option Pacemaker 2.1.5 knows (crm_config), with the values it accepts.</summary>
internal sealed record ClusterOption(string Name, OptionKind Kind, params string[] Allowed);

/// <summary>
/// The cluster options of Pacemaker 2.1.5: the scheduler's (lib/pengine/common.c <c>pe_opts</c>), the controller's
/// (daemons/controld <c>controller_options</c>), the CIB manager's, plus the <c>fencing-*</c> names later Pacemaker
/// versions use for the <c>stonith-*</c> options (both spellings are accepted here).
/// </summary>
internal static class ClusterOptions
{
    private static readonly ClusterOption[] All =
    [
        // Scheduler (pe_opts)
        new("no-quorum-policy", OptionKind.Select, "stop", "freeze", "ignore", "demote", "suicide", "fence"),
        new("symmetric-cluster", OptionKind.Boolean),
        new("maintenance-mode", OptionKind.Boolean),
        new("start-failure-is-fatal", OptionKind.Boolean),
        new("enable-startup-probes", OptionKind.Boolean),
        new("shutdown-lock", OptionKind.Boolean),
        new("shutdown-lock-limit", OptionKind.Time),
        new("stonith-enabled", OptionKind.Boolean),
        new("fencing-enabled", OptionKind.Boolean),
        new("stonith-action", OptionKind.Select, "reboot", "off", "poweroff"),
        new("fencing-action", OptionKind.Select, "reboot", "off", "poweroff"),
        new("stonith-timeout", OptionKind.Time),
        new("fencing-timeout", OptionKind.Time),
        new("have-watchdog", OptionKind.Boolean),
        new("concurrent-fencing", OptionKind.Boolean),
        new("startup-fencing", OptionKind.Boolean),
        new("priority-fencing-delay", OptionKind.Time),
        new("node-pending-timeout", OptionKind.Time),
        new("cluster-delay", OptionKind.Time),
        new("batch-limit", OptionKind.Integer),
        new("migration-limit", OptionKind.Integer),
        new("stop-all-resources", OptionKind.Boolean),
        new("stop-orphan-resources", OptionKind.Boolean),
        new("stop-orphan-actions", OptionKind.Boolean),
        new("remove-after-stop", OptionKind.Boolean),
        new("pe-error-series-max", OptionKind.Integer),
        new("pe-warn-series-max", OptionKind.Integer),
        new("pe-input-series-max", OptionKind.Integer),
        new("node-health-strategy", OptionKind.Select, "none", "migrate-on-red", "only-green", "progressive", "custom"),
        new("node-health-base", OptionKind.Score),
        new("node-health-green", OptionKind.Score),
        new("node-health-yellow", OptionKind.Score),
        new("node-health-red", OptionKind.Score),
        new("placement-strategy", OptionKind.Select, "default", "utilization", "minimal", "balanced"),

        // Controller
        new("dc-version", OptionKind.Text),
        new("cluster-infrastructure", OptionKind.Text),
        new("cluster-name", OptionKind.Text),
        new("dc-deadtime", OptionKind.Time),
        new("cluster-recheck-interval", OptionKind.Time),
        new("load-threshold", OptionKind.Text),
        new("node-action-limit", OptionKind.Integer),
        new("shutdown-escalation", OptionKind.Time),
        new("election-timeout", OptionKind.Time),
        new("join-integration-timeout", OptionKind.Time),
        new("join-finalization-timeout", OptionKind.Time),
        new("transition-delay", OptionKind.Time),
        new("crmd-integration-timeout", OptionKind.Time),
        new("crmd-finalization-timeout", OptionKind.Time),
        new("crmd-transition-delay", OptionKind.Time),
        new("stonith-watchdog-timeout", OptionKind.Text),
        new("fencing-watchdog-timeout", OptionKind.Text),
        new("stonith-max-attempts", OptionKind.Integer),
        new("fencing-max-attempts", OptionKind.Integer),
        new("fence-reaction", OptionKind.Select, "stop", "panic"),
        new("last-lrm-refresh", OptionKind.Text),

        // CIB manager
        new("enable-acl", OptionKind.Boolean),
        new("cluster-ipc-limit", OptionKind.Integer),
    ];

    public static readonly FrozenDictionary<string, ClusterOption> ByName =
        All.ToFrozenDictionary(o => o.Name, StringComparer.Ordinal);
}

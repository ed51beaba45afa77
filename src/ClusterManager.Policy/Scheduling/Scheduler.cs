using System.Collections.Immutable;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using ClusterManager.Policy.Rules;

namespace ClusterManager.Policy.Scheduling;

/// <summary>
/// One run of the scheduler over one snapshot. The phases follow Pacemaker's (lib/pacemaker/pcmk_scheduler.c):
/// unpack configuration and status, apply location and stickiness, assign, create actions, apply orderings,
/// then summarise. The instance is used once and thrown away.
/// </summary>
internal sealed partial class Scheduler
{
    private readonly ClusterSnapshot _snapshot;
    private readonly List<string> _warnings = [];
    private readonly List<WNode> _nodes = [];
    private readonly Dictionary<string, WNode> _nodesByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WNode> _nodesById = new(StringComparer.Ordinal);
    private readonly List<WResource> _resources = [];
    private readonly Dictionary<string, WResource> _resourcesById = new(StringComparer.Ordinal);
    private readonly List<Location> _locations = [];
    private readonly List<Coloc> _colocations = [];
    private readonly List<Ordering> _orderings = [];
    private readonly List<WAction> _actions = [];
    private readonly List<ScoreEntry> _scores = [];
    private ImmutableSortedDictionary<string, string> _options = ImmutableSortedDictionary<string, string>.Empty;
    private ImmutableSortedDictionary<string, string> _opDefaults = ImmutableSortedDictionary<string, string>.Empty;

    private readonly PolicyOptions _outputOptions;

    public Scheduler(ClusterSnapshot snapshot, PolicyOptions options)
    {
        _snapshot = snapshot;
        _outputOptions = options;
        NowEpoch = snapshot.Now.ToUnixTimeSeconds();
    }

    internal long NowEpoch { get; }
    internal bool StonithEnabled { get; private set; } = true;
    internal bool HaveStonithResource { get; private set; }
    internal bool HaveQuorum { get; private set; }
    internal NoQuorumPolicy NoQuorum { get; private set; } = NoQuorumPolicy.Stop;
    internal bool Symmetric { get; private set; } = true;
    internal bool MaintenanceMode { get; private set; }
    internal bool StopEverything { get; private set; }
    internal bool StartupFencing { get; private set; } = true;
    internal bool StopOrphanResources { get; private set; } = true;
    internal bool StopOrphanActions { get; private set; } = true;
    internal bool LegacyFailcounts { get; private set; }
    internal string StonithAction { get; private set; } = "reboot";
    internal string PlacementStrategy { get; private set; } = "default";
    internal bool ConcurrentFencing { get; private set; }

    public Transition Run()
    {
        UnpackOptions();
        UnpackNodes();
        UnpackResources();
        UnpackStatus();
        var current = BuildView(projected: false);
        UnpackConstraints();
        ApplyLocations();
        ApplyStickinessAndFailures();
        CreateInternalConstraints();
        CheckConfigurationChanges();
        AssignAll();
        CreateAllActions();
        ScheduleProbes();
        OrderStartsVsUnfence();
        ScheduleFencing();
        ApplyOrderings();
        PropagateAll();
        CancelReloads();
        var changes = Summarize();
        var projectedView = BuildView(projected: true);
        return new Transition(
            _snapshot.Version,
            current,
            projectedView,
            ExportActions(),
            [.. changes],
            ExportPlacements(),
            [.. _scores],
            [.. _warnings]);
    }

    private static bool IsTrue(string? value) =>
        value is not null && (value.Equals("true", StringComparison.OrdinalIgnoreCase)
            || value.Equals("yes", StringComparison.OrdinalIgnoreCase)
            || value.Equals("y", StringComparison.OrdinalIgnoreCase)
            || value.Equals("on", StringComparison.OrdinalIgnoreCase)
            || value == "1");

    private string? Option(string name, string? alias = null) =>
        _options.GetValueOrDefault(name) ?? (alias is null ? null : _options.GetValueOrDefault(alias));

    private RuleContext Context(IReadOnlyDictionary<string, string>? nodeAttributes = null, PrimitiveConfig? primitive = null) =>
        new(nodeAttributes ?? ImmutableSortedDictionary<string, string>.Empty, _snapshot.Now,
            primitive?.Class, primitive?.Provider, primitive?.Type);

    private void UnpackOptions()
    {
        var cfg = _snapshot.Configuration;
        _options = NvSetResolver.Resolve(cfg.Properties, Context(), "cib-bootstrap-options");
        _opDefaults = NvSetResolver.Resolve(cfg.OperationDefaults, Context());
        var status = _snapshot.Status;
        HaveQuorum = status.HaveQuorum;
        StonithEnabled = Option("stonith-enabled", "fencing-enabled") is not { } se || IsTrue(se);
        StonithAction = Option("stonith-action", "fencing-action") ?? "reboot";
        if (StonithAction == "poweroff")
        {
            StonithAction = "off";
        }

        Symmetric = Option("symmetric-cluster") is not { } sym || IsTrue(sym);
        MaintenanceMode = IsTrue(Option("maintenance-mode"));
        StopEverything = IsTrue(Option("stop-all-resources"));
        StartupFencing = Option("startup-fencing") is not { } sf || IsTrue(sf);
        StopOrphanResources = Option("stop-orphan-resources") is not { } sor || IsTrue(sor);
        StopOrphanActions = Option("stop-orphan-actions") is not { } soa || IsTrue(soa);
        PlacementStrategy = Option("placement-strategy") ?? "default";
        ConcurrentFencing = IsTrue(Option("concurrent-fencing"));
        if (IsTrue(Option("have-watchdog")))
        {
            HaveStonithResource = true;
        }

        NoQuorum = (Option("no-quorum-policy") ?? "stop").ToLowerInvariant() switch
        {
            "ignore" => NoQuorumPolicy.Ignore,
            "freeze" => NoQuorumPolicy.Freeze,
            "demote" => NoQuorumPolicy.Demote,
            "suicide" or "fence" => StonithEnabled && (status.NoQuorumPanic || HaveQuorum)
                ? NoQuorumPolicy.Suicide
                : NoQuorumPolicy.Stop,
            _ => NoQuorumPolicy.Stop,
        };

        // Pacemaker before feature set 3.0.13 kept one fail count per resource (no operation suffix).
        LegacyFailcounts = status.FeatureSet is not { } fs || CompareVersions(fs, "3.0.13") < 0;
    }

    internal static int CompareVersions(string a, string b)
    {
        var pa = a.Split('.');
        var pb = b.Split('.');
        for (var i = 0; i < Math.Max(pa.Length, pb.Length); i++)
        {
            var x = i < pa.Length && int.TryParse(pa[i], out var vx) ? vx : 0;
            var y = i < pb.Length && int.TryParse(pb[i], out var vy) ? vy : 0;
            if (x != y)
            {
                return x.CompareTo(y);
            }
        }

        return 0;
    }

    private void UnpackNodes()
    {
        var configured = _snapshot.Configuration.Nodes
            .Where(n => n.Type != NodeType.Ping)
            .ToList();
        // Pacemaker keeps its node list sorted by name, numbers compared as numbers (node2 before node10).
        configured.Sort((a, b) => NaturalCompare(a.Name.Value, b.Name.Value));
        foreach (var cfg in configured)
        {
            if (_nodesByName.ContainsKey(cfg.Name.Value))
            {
                _warnings.Add($"node '{cfg.Name}' is configured twice; the first definition is used");
                continue;
            }

            var node = new WNode(cfg.Name, cfg.Id, _nodes.Count)
            {
                Weight = cfg.Score ?? Score.Zero,
                RemoteOrPing = cfg.Type != NodeType.Member,
                // Unseen nodes are unclean only when they could be fenced (Pacemaker 2.1.5 shows them OFFLINE otherwise).
                Unclean = StartupFencing && StonithEnabled,
            };
            foreach (var (k, v) in NvSetResolver.Resolve(cfg.Attributes, Context()))
            {
                node.Attributes[k] = v;
            }

            foreach (var (k, v) in NvSetResolver.Resolve(cfg.Utilization, Context()))
            {
                if (int.TryParse(v, out var u))
                {
                    node.Utilization[k] = u;
                }
            }

            node.Attributes["#uname"] = cfg.Name.Value;
            node.Attributes["#id"] = cfg.Id;
            node.Attributes["#kind"] = cfg.Type == NodeType.Remote ? "remote" : "cluster";
            _nodes.Add(node);
            _nodesByName[cfg.Name.Value] = node;
            _nodesById.TryAdd(cfg.Id, node);
        }
    }

    /// <summary>Pacemaker's pcmk__numeric_strcasecmp: case-insensitive, digit runs compared as numbers.</summary>
    internal static int NaturalCompare(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsDigit(a[i]) && char.IsDigit(b[j]))
            {
                var si = i;
                var sj = j;
                while (i < a.Length && char.IsDigit(a[i]))
                {
                    i++;
                }

                while (j < b.Length && char.IsDigit(b[j]))
                {
                    j++;
                }

                var na = a[si..i].TrimStart('0');
                var nb = b[sj..j].TrimStart('0');
                if (na.Length != nb.Length)
                {
                    return na.Length.CompareTo(nb.Length);
                }

                var c = string.CompareOrdinal(na, nb);
                if (c != 0)
                {
                    return c;
                }

                continue;
            }

            var ca = char.ToLowerInvariant(a[i]);
            var cb = char.ToLowerInvariant(b[j]);
            if (ca != cb)
            {
                return ca.CompareTo(cb);
            }

            i++;
            j++;
        }

        return (a.Length - i).CompareTo(b.Length - j);
    }

    internal WNode? FindNode(string? name) => name is null ? null : _nodesByName.GetValueOrDefault(name);

    internal WResource? FindResource(string id) => _resourcesById.GetValueOrDefault(id);

    private Score?[] NewTable() => new Score?[_nodes.Count];
}

using System.Collections.Immutable;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using ClusterManager.Model.Status;

namespace ClusterManager.Policy.Tests.Support;

/// <summary>
/// Test fixtures for the engine: <c>Cluster.With(Node("n1").Online(), ...)</c>, resources with their history,
/// constraints, properties; <see cref="Build"/> gives the snapshot the engine takes.
/// </summary>
internal sealed class Cluster
{
    public static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<NodeBuilder> _nodes = [];
    private readonly List<ResourceConfig> _resources = [];
    private readonly List<Constraint> _constraints = [];
    private readonly List<NvPair> _properties = [new("p-stonith", "stonith-enabled", "false")];
    private readonly List<NvPair> _defaults = [];
    private bool _quorum = true;

    public static Cluster With(params NodeBuilder[] nodes)
    {
        var cluster = new Cluster();
        cluster._nodes.AddRange(nodes);
        return cluster;
    }

    public static NodeBuilder Node(string name) => new(name);

    public static PrimitiveConfig Primitive(string id, string agent = "ocf:heartbeat:Dummy", params (string Name, string Value)[] meta)
    {
        var parts = agent.Split(':');
        var (cls, provider, type) = parts.Length == 3 ? (parts[0], parts[1], parts[2]) : (parts[0], (string?)null, parts[1]);
        ImmutableArray<NvSet> metaSets = meta.Length == 0 ? [] : [NvSet.Of(id + "-meta", meta)];
        return new PrimitiveConfig(new ResourceId(id), cls, provider, type, [], metaSets, [],
            [new OperationConfig(id + "-monitor-10s", "monitor", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), null, null, true, [], [], ImmutableSortedDictionary<string, string>.Empty)]);
    }

    public static GroupConfig Group(string id, params PrimitiveConfig[] members) => new(new ResourceId(id), [], [.. members]);

    public static CloneConfig Clone(string id, ResourceConfig child, params (string Name, string Value)[] meta) =>
        new(new ResourceId(id), meta.Length == 0 ? [] : [NvSet.Of(id + "-meta", meta)], child, false);

    public Cluster Resources(params ResourceConfig[] resources)
    {
        _resources.AddRange(resources);
        return this;
    }

    public Cluster Property(string name, string value)
    {
        _properties.RemoveAll(p => p.Name == name);
        _properties.Add(new NvPair("p-" + name, name, value));
        return this;
    }

    public Cluster Fencing()
    {
        Property("stonith-enabled", "true");
        _resources.Insert(0, new PrimitiveConfig(new ResourceId("fence"), "stonith", null, "fence_dummy", [], [], [], []));
        return this;
    }

    public Cluster Stickiness(int value)
    {
        _defaults.Add(new NvPair("d-stickiness", "resource-stickiness", value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return this;
    }

    public Cluster NoQuorum()
    {
        _quorum = false;
        return this;
    }

    public Cluster Location(string rsc, string node, Score score) =>
        Add(new LocationConstraint($"loc-{rsc}-{node}", new ResourceId(rsc), null, [], null, new NodeName(node), score, [], ResourceDiscovery.Always));

    public Cluster Colocate(string dependent, string primary, Score score) =>
        Add(new ColocationConstraint($"col-{dependent}-{primary}", new ResourceId(dependent), new ResourceId(primary), score, null, null, null, null, []));

    public Cluster Order(string first, string then, OrderKind kind = OrderKind.Mandatory) =>
        Add(new OrderConstraint($"ord-{first}-{then}", new ResourceId(first), new ResourceId(then), null, null, kind, null, null, []));

    public Cluster Add(Constraint constraint)
    {
        _constraints.Add(constraint);
        return this;
    }

    public ClusterSnapshot Build(DateTimeOffset? now = null)
    {
        var config = new ClusterConfiguration(
            [new NvSet("cib-bootstrap-options", 0, null, [.. _properties])],
            [.. _nodes.Select(n => n.Config())],
            [.. _resources],
            [.. _constraints],
            _defaults.Count == 0 ? [] : [new NvSet("rsc-defaults", 0, null, [.. _defaults])],
            [],
            []);
        var status = new ClusterStatus(_quorum, _nodes.Count > 0 ? new NodeName(_nodes[0].Name) : null, "3.16.2", false,
            [.. _nodes.Where(n => n.HasState).Select(n => n.State())], []);
        return new ClusterSnapshot(1, config, status, now ?? Now);
    }
}

internal sealed class NodeBuilder(string name)
{
    private readonly Dictionary<string, string> _attributes = [];
    private readonly List<ResourceHistory> _history = [];
    private bool? _inCcm = true;
    private bool? _crmd = true;
    private string _join = "member";
    private string _expected = "member";
    private int _callId;

    public string Name { get; } = name;
    public bool HasState { get; private set; } = true;

    public NodeBuilder Online() => this;

    /// <summary>Left the membership unexpectedly (unclean: it must be fenced).</summary>
    public NodeBuilder Lost()
    {
        _inCcm = false;
        _crmd = false;
        _join = "down";
        return this;
    }

    /// <summary>Shut down cleanly.</summary>
    public NodeBuilder Offline()
    {
        _inCcm = false;
        _crmd = false;
        _join = "down";
        _expected = "down";
        return this;
    }

    public NodeBuilder NeverSeen()
    {
        HasState = false;
        return this;
    }

    public NodeBuilder Standby() => Attribute("standby", "on");

    public NodeBuilder Attribute(string name, string value)
    {
        _attributes[name] = value;
        return this;
    }

    /// <summary>The resource runs here (a successful start and monitor are recorded).</summary>
    public NodeBuilder Running(string rsc, string agent = "ocf:heartbeat:Dummy") =>
        Op(rsc, agent, "start", 0, expected: 0).Op(rsc, agent, "monitor", 0, expected: 0, interval: 10_000);

    /// <summary>The resource was started here and its recurring monitor has not run yet (a transition aborted in between).</summary>
    public NodeBuilder StartedWithoutMonitor(string rsc, string agent = "ocf:heartbeat:Dummy") => Op(rsc, agent, "start", 0, expected: 0);

    /// <summary>A probe found the resource not running here.</summary>
    public NodeBuilder Probed(string rsc, string agent = "ocf:heartbeat:Dummy") => Op(rsc, agent, "monitor", 7, expected: 7);

    /// <summary>The resource's recurring monitor failed here; the fail count is recorded.</summary>
    public NodeBuilder MonitorFailed(string rsc, int failcount = 1, string agent = "ocf:heartbeat:Dummy")
    {
        Running(rsc, agent);
        Op(rsc, agent, "monitor", 7, expected: 0, interval: 10_000);
        return Attribute($"fail-count-{rsc}#monitor_10000", failcount.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Attribute($"last-failure-{rsc}#monitor_10000", Cluster.Now.AddMinutes(-1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private NodeBuilder Op(string rsc, string agent, string task, int rc, int expected, long interval = 0)
    {
        var parts = agent.Split(':');
        var index = _history.FindIndex(h => h.Id.Value == rsc);
        var history = index >= 0 ? _history[index] : new ResourceHistory(new ResourceId(rsc), parts[0], parts.Length == 3 ? parts[1] : null, parts[^1], null, []);
        var call = ++_callId;
        var id = interval > 0 ? $"{rsc}_{task}_{interval}" : $"{rsc}_last_0";
        var ops = history.Operations.Where(o => o.Id != id).ToList();
        ops.Add(new OperationRecord(id, $"{rsc}_{task}_{interval}", task, call, rc, 0, TimeSpan.FromMilliseconds(interval), expected,
            $"1:1:{expected}:00000000-0000-0000-0000-000000000000", Cluster.Now.AddMinutes(-10).ToUnixTimeSeconds() + call, null, null,
            interval == 0 ? "f2317cad3d54cec5d7d7aa7d0bf35cf8" : null, null, null, null, 10));
        history = history with { Operations = [.. ops] };
        if (index >= 0)
        {
            _history[index] = history;
        }
        else
        {
            _history.Add(history);
        }

        return this;
    }

    public NodeConfig Config() => new(Name, new NodeName(Name), NodeType.Member, null, [], []);

    public NodeState State() => new(Name, new NodeName(Name), _inCcm, _crmd, _join, _expected,
        _attributes.ToImmutableSortedDictionary(StringComparer.Ordinal), [.. _history]);
}

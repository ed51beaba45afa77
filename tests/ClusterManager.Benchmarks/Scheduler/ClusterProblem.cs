namespace ClusterManager.Benchmarks.Scheduler;

/// <summary>The size of a generated problem: nodes, primitives (R) and constraints (C).</summary>
public readonly record struct ProblemSize(int Nodes, int Resources, int Constraints)
{
    public override string ToString() => $"{Nodes} nodes × {Resources} resources × {Constraints} constraints";
}

/// <summary>The agents the generator uses (both exist in resource-agents; the scheduler never runs them).</summary>
public enum AgentType
{
    Dummy,
    IPaddr2,
    FenceDevice,
}

/// <summary>One generated primitive (standalone, group member, clone child or the fencing device).</summary>
public sealed class GeneratedPrimitive(string id, AgentType agent, string? ip)
{
    public string Id { get; } = id;

    public AgentType Agent { get; } = agent;

    /// <summary>IPaddr2's address, always in 198.18.0.0/15 (benchmark address space).</summary>
    public string? Ip { get; } = ip;

    public string Class => Agent == AgentType.FenceDevice ? "stonith" : "ocf";

    public string? Provider => Agent == AgentType.FenceDevice ? null : "heartbeat";

    public string Type => Agent switch
    {
        AgentType.Dummy => "Dummy",
        AgentType.IPaddr2 => "IPaddr2",
        _ => "fence_ipmilan",
    };

    /// <summary>The recurring monitor's interval: 10 s for services, 60 s for the fencing device.</summary>
    public int MonitorIntervalMs => Agent == AgentType.FenceDevice ? 60_000 : 10_000;

    public const int MonitorTimeoutMs = 20_000;

    /// <summary>Instance attributes in the order they are written.</summary>
    public IReadOnlyList<(string Name, string Value)> Parameters =>
        Ip is null ? [] : [("ip", Ip), ("cidr_netmask", "32")];
}

public enum ItemKind
{
    Primitive,
    Group,
    Clone,
    Fencing,
}

/// <summary>A top-level resource: a primitive, a group (members in order), an anonymous clone, or the fence device.</summary>
public sealed class GeneratedItem(int index, string id, ItemKind kind, IReadOnlyList<GeneratedPrimitive> primitives)
{
    /// <summary>Position among the top-level resources (document order).</summary>
    public int Index { get; } = index;

    public string Id { get; } = id;

    public ItemKind Kind { get; } = kind;

    /// <summary>The primitive itself, the group's members, or the clone's child.</summary>
    public IReadOnlyList<GeneratedPrimitive> Primitives { get; } = primitives;
}

public enum ConstraintKind
{
    Location,
    Colocation,
    Order,
}

/// <summary>
/// One generated constraint. Location: <see cref="First"/> on <see cref="Node"/> with <see cref="Score"/>.
/// Colocation: <see cref="Then"/> (dependent) with <see cref="First"/> (primary). Order: First then Then,
/// <see cref="Mandatory"/> or Optional.
/// </summary>
public sealed record GeneratedConstraint(
    string Id,
    ConstraintKind Kind,
    GeneratedItem First,
    GeneratedItem? Then,
    int Node,
    int Score,
    bool Mandatory);

/// <summary>
/// A generated cluster problem: configuration (nodes, resources, constraints) and, for the scenarios with a
/// history, where every resource runs. Deterministic for a seed: the configuration is drawn from one
/// <see cref="Random"/> stream that does not depend on the scenario, so all five scenarios share it
/// (fail-unclean adds the fencing device).
/// </summary>
public sealed class ClusterProblem
{
    public const int Infinity = 1_000_000;

    /// <summary>"Now" of every generated CIB (<c>execution-date</c>): 2026-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset ExecutionDate = DateTimeOffset.FromUnixTimeSeconds(1_767_225_600);

    private ClusterProblem(
        ProblemSize size,
        Scenario scenario,
        int seed,
        IReadOnlyList<string> nodeNames,
        IReadOnlyList<GeneratedItem> items,
        IReadOnlyList<GeneratedConstraint> constraints,
        int stickiness)
    {
        Size = size;
        Stickiness = stickiness;
        Scenario = scenario;
        Seed = seed;
        NodeNames = nodeNames;
        Items = items;
        Constraints = constraints;
        Placement = PlacementPlanner.Plan(this);
    }

    public ProblemSize Size { get; }

    /// <summary><c>resource-stickiness</c> in rsc_defaults; 0 (the default) writes no rsc_defaults.</summary>
    public int Stickiness { get; }

    public Scenario Scenario { get; }

    public int Seed { get; }

    /// <summary>node1 … nodeN; node ids are 1 … N.</summary>
    public IReadOnlyList<string> NodeNames { get; }

    /// <summary>Top-level resources in document order (the fencing device first, when there is one).</summary>
    public IReadOnlyList<GeneratedItem> Items { get; }

    public IReadOnlyList<GeneratedConstraint> Constraints { get; }

    /// <summary>Where each item runs in the recorded history (see <see cref="PlacementPlanner"/>).</summary>
    public ProblemPlacement Placement { get; }

    public bool FencingEnabled => Scenario == Scenario.FailUnclean;

    /// <summary>The node that fails (fail-*) or joins (join): always the last one; node1 is the DC.</summary>
    public int ChangedNode => NodeNames.Count - 1;

    /// <summary>Nodes that carry resources in the recorded history: all, except the joining node in join.</summary>
    public int HistoryNodes => Scenario == Scenario.Join ? NodeNames.Count - 1 : NodeNames.Count;

    public int PrimitiveCount => Items.Sum(i => i.Primitives.Count);

    /// <summary>Generates the problem. Throws <see cref="ArgumentException"/> for sizes that make no sense.</summary>
    public static ClusterProblem Generate(ProblemSize size, Scenario scenario, int seed, int stickiness = 0)
    {
        if (size.Nodes < 2)
        {
            throw new ArgumentException($"--nodes must be at least 2 (got {size.Nodes}): the scenarios lose or add a node");
        }

        if (size.Resources < 1)
        {
            throw new ArgumentException($"--resources must be at least 1 (got {size.Resources})");
        }

        if (size.Constraints < 0)
        {
            throw new ArgumentException($"--constraints must not be negative (got {size.Constraints})");
        }

        var rng = new Random(seed);
        var nodes = Enumerable.Range(1, size.Nodes).Select(i => $"node{i}").ToArray();
        var items = new List<GeneratedItem>();
        if (scenario == Scenario.FailUnclean)
        {
            items.Add(new GeneratedItem(0, "fence1", ItemKind.Fencing,
                [new GeneratedPrimitive("fence1", AgentType.FenceDevice, null)]));
        }

        var firstService = items.Count;
        var primitiveNumber = 0;
        int groups = 0, clones = 0;
        GeneratedPrimitive NewPrimitive(bool ip)
        {
            primitiveNumber++;
            var id = $"rsc{primitiveNumber}";
            // 198.18.0.0/15, the benchmark address space: 198.18.0.1 … 198.19.255.254.
            var address = ip ? $"198.{18 + (primitiveNumber / 65_024)}.{primitiveNumber / 254 % 256}.{(primitiveNumber % 254) + 1}" : null;
            return new GeneratedPrimitive(id, ip ? AgentType.IPaddr2 : AgentType.Dummy, address);
        }

        while (primitiveNumber < size.Resources)
        {
            var left = size.Resources - primitiveNumber;
            var index = items.Count;
            var roll = rng.NextDouble();
            var groupSize = 2 + rng.Next(3);
            if (size.Resources >= 10 && (index - firstService) % 50 == 7)
            {
                // About one top-level resource in fifty is an anonymous clone of a Dummy (one instance per node).
                clones++;
                items.Add(new GeneratedItem(index, $"cln{clones}", ItemKind.Clone, [NewPrimitive(ip: false)]));
            }
            else if (roll < 0.12 && left >= 2)
            {
                // A group: an address then services, as in "IP + daemon" stacks.
                groups++;
                var members = new List<GeneratedPrimitive> { NewPrimitive(ip: true) };
                for (var m = 1; m < Math.Min(groupSize, left); m++)
                {
                    members.Add(NewPrimitive(ip: false));
                }

                items.Add(new GeneratedItem(index, $"grp{groups}", ItemKind.Group, members));
            }
            else
            {
                var p = NewPrimitive(ip: rng.NextDouble() < 0.3);
                items.Add(new GeneratedItem(index, p.Id, ItemKind.Primitive, [p]));
            }
        }

        var services = items.Skip(firstService).ToArray();
        var constraints = new List<GeneratedConstraint>(size.Constraints);
        int locations = 0, colocations = 0, orders = 0;
        while (constraints.Count < size.Constraints)
        {
            var roll = rng.NextDouble();
            if (roll < 0.4 || services.Length < 2)
            {
                // Location: a preference for a node, sometimes a ban. Clones are not targeted (they run everywhere).
                var target = services[rng.Next(services.Length)];
                var node = rng.Next(size.Nodes);
                var score = rng.NextDouble() < 0.15 ? -Infinity : Scores[rng.Next(Scores.Length)];
                if (target.Kind != ItemKind.Clone)
                {
                    locations++;
                    constraints.Add(new GeneratedConstraint($"loc{locations}", ConstraintKind.Location, target, null, node, score, true));
                }
            }
            else if (roll < 0.7)
            {
                // Colocation of a later resource (dependent) with an earlier one (primary): no cycles.
                var i = 1 + rng.Next(services.Length - 1);
                var primary = services[rng.Next(i)];
                var kindRoll = rng.NextDouble();
                var score = kindRoll < 0.6 || primary.Kind == ItemKind.Clone ? Infinity
                    : kindRoll < 0.7 ? -Infinity
                    : Scores[rng.Next(Scores.Length)];
                if (services[i].Kind != ItemKind.Clone)
                {
                    colocations++;
                    constraints.Add(new GeneratedConstraint($"col{colocations}", ConstraintKind.Colocation, primary, services[i], -1, score, true));
                }
            }
            else
            {
                // Order: an earlier resource starts before a later one (Mandatory, sometimes Optional).
                var i = 1 + rng.Next(services.Length - 1);
                var first = services[rng.Next(i)];
                var mandatory = rng.NextDouble() < 0.8;
                orders++;
                constraints.Add(new GeneratedConstraint($"ord{orders}", ConstraintKind.Order, first, services[i], -1, 0, mandatory));
            }
        }

        return new ClusterProblem(size, scenario, seed, nodes, items, constraints, stickiness);
    }

    private static readonly int[] Scores = [50, 100, 200, 500, 1000];
}

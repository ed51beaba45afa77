using System.Globalization;
using System.Text.Json.Nodes;
using ClusterManager.Api.V1;
using ClusterManager.Cli.Client;
using ModelLevel = ClusterManager.Model.Configuration.FencingLevel;

namespace ClusterManager.Cli.Commands.Stonith;

/// <summary><c>hactl stonith level ...</c>: the fencing topology, as <c>pcs stonith level</c>.</summary>
internal static partial class StonithCommands
{
    private const string LevelUsage = """
        Usage: hactl stonith level [config] [--output json]
               hactl stonith level add LEVEL TARGET STONITH_ID... [--force]
               hactl stonith level delete|remove LEVEL [target TARGET] [stonith STONITH_ID...]
               hactl stonith level clear [target TARGET | stonith STONITH_ID...]
               hactl stonith level verify

        Fencing topology: to fence a node, level 1's devices are tried (all of them must succeed), then level 2's if
        level 1 failed, and so on (LEVEL is 1-9). TARGET is a node name, regexp%PATTERN (nodes whose name matches the
        regular expression) or attrib%NAME=VALUE (nodes with that node attribute). Several stonith ids may also be
        given as one comma-separated list.
          add       adds a level; a node that is not a cluster node needs --force
          delete    removes the levels at LEVEL (only those of TARGET, only those with exactly these devices);
                    'delete LEVEL TARGET [STONITH_ID...]' (without the keywords) is accepted too
          clear     removes every level (only those of TARGET, or only those with exactly these devices)
          verify    checks that every level's devices exist and every node target is a cluster node
        """;

    private static readonly CommandDefinition Level = ClusterCommand.Define(["stonith", "level"], "show fencing levels", LevelUsage, LevelConfigAsync);

    private static readonly CommandDefinition LevelConfig = ClusterCommand.Define(["stonith", "level", "config"], "show fencing levels", LevelUsage, LevelConfigAsync);

    private static readonly CommandDefinition LevelAdd = ClusterCommand.Define(["stonith", "level", "add"], "add a fencing level", LevelUsage, LevelAddAsync);

    private static readonly CommandDefinition LevelDelete = ClusterCommand.Define(["stonith", "level", "delete"], "remove fencing levels", LevelUsage, LevelDeleteAsync);

    private static readonly CommandDefinition LevelRemove = ClusterCommand.Define(["stonith", "level", "remove"], "remove fencing levels (= level delete)", LevelUsage, LevelDeleteAsync);

    private static readonly CommandDefinition LevelClear = ClusterCommand.Define(["stonith", "level", "clear"], "remove all fencing levels, or a target's", LevelUsage, LevelClearAsync);

    private static readonly CommandDefinition LevelVerify = ClusterCommand.Define(["stonith", "level", "verify"], "check the fencing levels", LevelUsage, LevelVerifyAsync);

    /// <summary>A level's target as given on the command line: exactly one of the three forms is set.</summary>
    internal sealed record LevelTarget(string? Node, string? Pattern, string? Attribute, string? Value)
    {
        /// <summary>Parses <c>NODE</c>, <c>regexp%PATTERN</c> or <c>attrib%NAME=VALUE</c>.</summary>
        /// <exception cref="UsageException">An empty pattern, or an attribute without NAME=VALUE.</exception>
        public static LevelTarget Parse(string text)
        {
            ArgumentNullException.ThrowIfNull(text);
            if (text.StartsWith("regexp%", StringComparison.Ordinal))
            {
                var pattern = text["regexp%".Length..];
                return pattern.Length > 0 ? new LevelTarget(null, pattern, null, null) : throw new UsageException($"'{text}': the pattern is empty");
            }

            if (text.StartsWith("attrib%", StringComparison.Ordinal))
            {
                var pair = text["attrib%".Length..];
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                return eq > 0
                    ? new LevelTarget(null, null, pair[..eq], pair[(eq + 1)..])
                    : throw new UsageException($"'{text}': an attribute target is attrib%NAME=VALUE");
            }

            return text.Length > 0 ? new LevelTarget(text, null, null, null) : throw new UsageException("the target is empty");
        }

        /// <summary>True when <paramref name="level"/> names its target the same way (node names ignore case).</summary>
        public bool Matches(ModelLevel level)
        {
            ArgumentNullException.ThrowIfNull(level);
            return Node is not null
                ? level.Target is { } t && string.Equals(t.Value, Node, StringComparison.OrdinalIgnoreCase)
                : level.Target is null && level.TargetPattern == Pattern && level.TargetAttribute == Attribute && level.TargetValue == Value;
        }

        public override string ToString() => Node ?? (Pattern is not null ? $"regexp%{Pattern}" : $"attrib%{Attribute}={Value}");
    }

    private static async Task<int> LevelConfigAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var format = ClusterCommand.TakeFormat(call.Args);
        call.Args.EnsureEnd();
        var state = await call.Client.ReadStateAsync(false, cancellationToken).ConfigureAwait(false);
        var topology = state.Snapshot.Configuration.FencingTopology;
        if (format == OutputFormat.Json)
        {
            ClusterCommand.WriteJson(call.Out, new JsonArray([.. topology.Select(l => (JsonNode)new JsonObject
            {
                ["id"] = l.Id,
                ["level"] = l.Index,
                ["target"] = Target(l),
                ["devices"] = new JsonArray([.. l.Devices.Select(d => JsonValue.Create(d.Value))]),
            })]));
            return ExitCodes.Ok;
        }

        WriteLevels(call.Out, state.Snapshot.Configuration, indent: "");
        return ExitCodes.Ok;
    }

    private static async Task<int> LevelAddAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var force = call.Args.TakeFlag("--force");
        var index = TakeLevel(call.Args);
        var target = LevelTarget.Parse(call.Args.Take("target"));
        var devices = TakeDevices(call.Args);
        if (devices.Count == 0)
        {
            throw new UsageException("give at least one stonith id");
        }

        var spec = new FencingLevelSpec
        {
            Index = index,
            TargetNode = target.Node ?? "",
            TargetPattern = target.Pattern ?? "",
            TargetAttribute = target.Attribute ?? "",
            TargetValue = target.Value ?? "",
            Force = force,
        };
        spec.Devices.AddRange(devices);
        return await ClusterCommand.ApplyAsync(call, [new Change { AddFencingLevel = spec }], cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> LevelDeleteAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var index = TakeLevel(call.Args);
        LevelTarget? target = null;
        var devices = new List<string>();
        if (call.Args.Peek() is "target" or "stonith")
        {
            // pcs 0.11: the keyword form.
            while (!call.Args.AtEnd)
            {
                if (call.Args.TakeKeyword("target"))
                {
                    target = LevelTarget.Parse(call.Args.Take("target"));
                }
                else if (call.Args.TakeKeyword("stonith"))
                {
                    devices.AddRange(TakeDevices(call.Args, stopAt: "target"));
                }
                else
                {
                    throw new UsageException($"unexpected '{call.Args.Peek()}': give 'target TARGET' and/or 'stonith STONITH_ID...'");
                }
            }
        }
        else if (!call.Args.AtEnd)
        {
            // The older positional form: LEVEL [TARGET] [STONITH_ID...].
            target = LevelTarget.Parse(call.Args.Take("target"));
            devices.AddRange(TakeDevices(call.Args));
        }

        return await ClusterCommand.EditAsync(call, state =>
        {
            var matches = state.Snapshot.Configuration.FencingTopology
                .Where(l => l.Index == index && (target is null || target.Matches(l)) && (devices.Count == 0 || SameDevices(l, devices)))
                .ToList();
            if (matches.Count == 0)
            {
                var what = $"at level '{index}'" + (target is null ? "" : $" for '{target}'") + (devices.Count == 0 ? "" : $" with device(s) '{string.Join(',', devices)}'");
                return EditPlan.Fail($"Fencing level {what} was not found");
            }

            return EditPlan.Of([.. matches.Select(l => new Change { DeleteFencingLevel = l.Id })]);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> LevelClearAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        LevelTarget? target = null;
        var devices = new List<string>();
        if (call.Args.TakeKeyword("target"))
        {
            target = LevelTarget.Parse(call.Args.Take("target"));
        }
        else if (call.Args.TakeKeyword("stonith"))
        {
            devices.AddRange(TakeDevices(call.Args));
            if (devices.Count == 0)
            {
                throw new UsageException("give the stonith ids after 'stonith'");
            }
        }
        else if (!call.Args.AtEnd)
        {
            // The older form: one argument, a target or a comma-separated list of stonith ids (decided below).
            var text = call.Args.Take("target or stonith ids");
            devices.AddRange(text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            target = LevelTarget.Parse(text);
        }

        call.Args.EnsureEnd();
        return await ClusterCommand.EditAsync(call, state =>
        {
            var configuration = state.Snapshot.Configuration;
            if (target is not null && devices.Count > 0)
            {
                var stonith = configuration.AllPrimitives().Where(p => p.IsFencingDevice).Select(p => p.Id.Value).ToHashSet(StringComparer.Ordinal);
                if (devices.All(stonith.Contains))
                {
                    target = null;
                }
                else
                {
                    devices.Clear();
                }
            }

            var matches = configuration.FencingTopology
                .Where(l => (target is null || target.Matches(l)) && (devices.Count == 0 || SameDevices(l, devices)))
                .ToList();
            return EditPlan.Of([.. matches.Select(l => new Change { DeleteFencingLevel = l.Id })]);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> LevelVerifyAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        call.Args.EnsureEnd();
        var live = await LiveCluster.ReadAsync(call.Client, cancellationToken).ConfigureAwait(false);
        var problems = VerifyLevels(live.Snapshot.Configuration, live.Membership.Members.Select(m => m.Name));
        foreach (var problem in problems)
        {
            call.Error.Write($"error: {problem}\n");
        }

        return problems.Count == 0 ? ExitCodes.Ok : ExitCodes.Failure;
    }

    /// <summary>
    /// pcs's <c>stonith level verify</c>: devices of levels that are not stonith resources, and node targets that are
    /// neither configured nodes nor members.
    /// </summary>
    internal static IReadOnlyList<string> VerifyLevels(Model.Configuration.ClusterConfiguration configuration, IEnumerable<string> members)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var stonith = configuration.AllPrimitives().Where(p => p.IsFencingDevice).Select(p => p.Id.Value).ToHashSet(StringComparer.Ordinal);
        var nodes = configuration.Nodes.Select(n => n.Name.Value).Concat(members).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var problems = new List<string>();
        var missing = configuration.FencingTopology.SelectMany(l => l.Devices).Select(d => d.Value).Where(d => !stonith.Contains(d))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            problems.Add($"Stonith resource(s) '{string.Join("', '", missing)}' do not exist");
        }

        foreach (var node in configuration.FencingTopology.Where(l => l.Target is not null).Select(l => l.Target!.Value.Value)
                     .Distinct(StringComparer.OrdinalIgnoreCase).Where(n => !nodes.Contains(n)).Order(StringComparer.Ordinal))
        {
            problems.Add($"Node '{node}' does not appear to exist in configuration");
        }

        return problems;
    }

    private static int TakeLevel(ArgumentCursor args)
    {
        var text = args.Take("level");
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var level) && level is >= 1 and <= 9
            ? level
            : throw new UsageException($"'{text}' is not a valid level value: use 1-9");
    }

    private static List<string> TakeDevices(ArgumentCursor args, string? stopAt = null)
    {
        var devices = new List<string>();
        while (!args.AtEnd && args.Peek() != stopAt && !args.Peek()!.StartsWith("--", StringComparison.Ordinal))
        {
            devices.AddRange(args.Take("stonith id").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        return devices;
    }

    private static bool SameDevices(ModelLevel level, List<string> devices) =>
        level.Devices.Select(d => d.Value).SequenceEqual(devices, StringComparer.Ordinal);
}

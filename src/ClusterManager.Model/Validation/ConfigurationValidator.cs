using System.Collections.Immutable;
using System.Globalization;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Model.Validation;

/// <summary>
/// Checks a configuration the way Pacemaker 2.1.5's unpacking would complain about it: duplicate ids, constraints
/// naming missing resources or nodes, unknown or invalid cluster options, invalid clone counts and on-fail values.
/// clusterd refuses changes with <see cref="IssueSeverity.Error"/> issues; <c>hactl simulate</c> reports all.
/// A set or rule reached through an <c>id-ref</c> (the same instance twice) is not a duplicate.
/// </summary>
public static class ConfigurationValidator
{
    private static readonly HashSet<string> OnFailValues = new(
        ["ignore", "nothing", "block", "demote", "stop", "restart", "standby", "fence", "stonith", "restart-container", "reset-remote", "migrate"],
        StringComparer.OrdinalIgnoreCase);

    private static readonly string[] CloneCounts =
        ["clone-max", "clone-node-max", "promoted-max", "promoted-node-max", "master-max", "master-node-max", "clone-min"];

    private const string Root = "/cib/configuration";

    /// <summary>Returns every problem found, in document order (errors and warnings interleaved).</summary>
    public static ImmutableArray<ConfigurationIssue> Validate(ClusterConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var v = new Run();
        v.Check(config);
        return v.Issues.ToImmutable();
    }

    /// <summary>The most instances a clone can have (its clone-max): each is scheduled, even when it cannot run.</summary>
    public const int MaxCloneInstances = 10_000;

    /// <summary>
    /// Why <paramref name="pattern"/> is not a regular expression the engine can use (a location's rsc-pattern, a
    /// fencing level's target pattern), or null.
    /// </summary>
    public static string? RegexError(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        try
        {
            _ = new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    private sealed class Run
    {
        private readonly Dictionary<string, (object Owner, string Path)> _ids = new(StringComparer.Ordinal);
        private readonly HashSet<object> _visited = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<string> _resources = new(StringComparer.Ordinal);
        private readonly HashSet<string> _nodes = new(StringComparer.Ordinal);

        public ImmutableArray<ConfigurationIssue>.Builder Issues { get; } = ImmutableArray.CreateBuilder<ConfigurationIssue>();

        private void Error(string path, string message) => Issues.Add(new ConfigurationIssue(path, message, IssueSeverity.Error));

        private void Warning(string path, string message) => Issues.Add(new ConfigurationIssue(path, message, IssueSeverity.Warning));

        private static string Path(string parent, string tag, string id) => $"{parent}/{tag}[@id='{id}']";

        private void Id(object owner, string id, string path, string tag)
        {
            if (string.IsNullOrEmpty(id))
            {
                Error(path, $"{tag} has an empty id");
                return;
            }

            if (_ids.TryGetValue(id, out var first))
            {
                if (!ReferenceEquals(first.Owner, owner))
                {
                    Error(path, $"{tag} '{id}': id '{id}' is already used by {first.Path}");
                }

                return;
            }

            _ids[id] = (owner, path);
        }

        public void Check(ClusterConfiguration config)
        {
            foreach (var set in config.Properties)
            {
                var path = Path($"{Root}/crm_config", "cluster_property_set", set.Id);
                Sets([set], $"{Root}/crm_config", "cluster_property_set");
                foreach (var pair in set.Pairs)
                {
                    Property(path, pair);
                }
            }

            Nodes(config.Nodes);
            foreach (var r in config.Resources)
            {
                Resource(r, $"{Root}/resources");
            }

            Sets(config.ResourceDefaults, $"{Root}/rsc_defaults", "meta_attributes");
            Sets(config.OperationDefaults, $"{Root}/op_defaults", "meta_attributes");
            foreach (var set in config.OperationDefaults)
            {
                foreach (var pair in set.Pairs.Where(p => p.Name == "on-fail"))
                {
                    OnFail(Path($"{Root}/op_defaults", "meta_attributes", set.Id), pair.Value);
                }
            }

            foreach (var c in config.Constraints)
            {
                Constraint(c);
            }

            foreach (var level in config.FencingTopology)
            {
                var path = Path($"{Root}/fencing-topology", "fencing-level", level.Id);
                Id(level, level.Id, path, "fencing-level");
                if (level.Index is < 1 or > 9)
                {
                    Error(path, $"fencing-level '{level.Id}': index {level.Index} is not between 1 and 9");
                }

                foreach (var device in level.Devices.Where(d => !_resources.Contains(d.Value)))
                {
                    Error(path, $"fencing-level '{level.Id}': device '{device}' names no resource");
                }

                if (level.Target is { } target && !_nodes.Contains(target.Value))
                {
                    Warning(path, $"fencing-level '{level.Id}': target '{target}' names no configured node");
                }
            }
        }

        private void Property(string path, NvPair pair)
        {
            if (!ClusterOptions.ByName.TryGetValue(pair.Name, out var option))
            {
                Warning(path, $"cluster_property_set: '{pair.Name}' is not a cluster option Pacemaker 2.1.5 knows; it has no effect");
                return;
            }

            if (pair.Value is not { } value)
            {
                return;
            }

            var ok = option.Kind switch
            {
                OptionKind.Boolean => IsBoolean(value),
                OptionKind.Select => option.Allowed.Contains(value, StringComparer.OrdinalIgnoreCase),
                OptionKind.Time => Durations.TryParse(value, out _),
                OptionKind.Integer => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
                OptionKind.Score => Score.TryParse(value, out _),
                _ => true,
            };
            if (!ok)
            {
                var expected = option.Kind switch
                {
                    OptionKind.Boolean => "a boolean (true, false, yes, no, on, off, 1, 0)",
                    OptionKind.Select => "one of " + string.Join(", ", option.Allowed),
                    OptionKind.Time => "a duration (e.g. 60s, 5min, PT1M)",
                    OptionKind.Integer => "an integer",
                    _ => "a score (an integer, INFINITY or -INFINITY)",
                };
                Error(path, $"cluster option '{pair.Name}': '{value}' is not {expected}");
            }
        }

        private static bool IsBoolean(string value) =>
            value.Trim().ToLowerInvariant() is "true" or "on" or "yes" or "y" or "1" or "false" or "off" or "no" or "n" or "0";

        private void Nodes(ImmutableArray<NodeConfig> nodes)
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var n in nodes)
            {
                var path = Path($"{Root}/nodes", "node", n.Id);
                if (!ids.Add(n.Id))
                {
                    Error(path, $"node '{n.Id}': another node has the same id");
                }

                if (!_nodes.Add(n.Name.Value))
                {
                    Error(path, $"node '{n.Id}': another node has the same uname '{n.Name}'");
                }

                Sets(n.Attributes, path, "instance_attributes");
                Sets(n.Utilization, path, "utilization");
            }
        }

        private void Resource(ResourceConfig r, string parent)
        {
            switch (r)
            {
                case PrimitiveConfig p:
                {
                    var path = Path(parent, "primitive", p.Id.Value);
                    Id(p, p.Id.Value, path, "primitive");
                    _resources.Add(p.Id.Value);
                    Sets(p.InstanceAttributes, path, "instance_attributes");
                    Sets(p.Meta, path, "meta_attributes");
                    Sets(p.Utilization, path, "utilization");
                    foreach (var op in p.Operations)
                    {
                        var opPath = Path($"{path}/operations", "op", op.Id);
                        Id(op, op.Id, opPath, "op");
                        Sets(op.Meta, opPath, "meta_attributes");
                        Sets(op.InstanceAttributes, opPath, "instance_attributes");
                        OnFail(opPath, op.OnFail);
                        foreach (var pair in op.Meta.SelectMany(s => s.Pairs).Where(x => x.Name == "on-fail"))
                        {
                            OnFail(opPath, pair.Value);
                        }
                    }

                    break;
                }

                case GroupConfig g:
                {
                    var path = Path(parent, "group", g.Id.Value);
                    Id(g, g.Id.Value, path, "group");
                    _resources.Add(g.Id.Value);
                    Sets(g.Meta, path, "meta_attributes");
                    foreach (var m in g.Members)
                    {
                        Resource(m, path);
                    }

                    break;
                }

                case CloneConfig c:
                {
                    var tag = c.IsLegacyMaster ? "master" : "clone";
                    var path = Path(parent, tag, c.Id.Value);
                    Id(c, c.Id.Value, path, tag);
                    _resources.Add(c.Id.Value);
                    Sets(c.Meta, path, "meta_attributes");
                    foreach (var set in c.Meta)
                    {
                        foreach (var pair in set.Pairs.Where(x => CloneCounts.Contains(x.Name)))
                        {
                            if (pair.Value is not { } value ||
                                !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) || n < 0)
                            {
                                Error(path, $"{tag} '{c.Id}': {pair.Name} '{pair.Value}' is not a non-negative integer");
                            }
                            else if (pair.Name == "clone-max" && n > MaxCloneInstances)
                            {
                                Error(path, $"{tag} '{c.Id}': clone-max {n} is more than the {MaxCloneInstances} instances a clone can have");
                            }
                        }
                    }

                    Resource(c.Child, path);
                    break;
                }
            }
        }

        private void OnFail(string path, string? value)
        {
            if (value is not null && !OnFailValues.Contains(value))
            {
                Error(path, $"on-fail '{value}' is not one of ignore, block, demote, stop, restart, standby, fence, restart-container, reset-remote");
            }
        }

        private void Sets(IEnumerable<NvSet> sets, string parent, string tag)
        {
            foreach (var set in sets)
            {
                if (!_visited.Add(set))
                {
                    continue;
                }

                var path = Path(parent, tag, set.Id);
                Id(set, set.Id, path, tag);
                foreach (var pair in set.Pairs)
                {
                    Id(pair, pair.Id, Path(path, "nvpair", pair.Id), "nvpair");
                }

                if (set.Rule is not null)
                {
                    RuleIds(set.Rule, path);
                }
            }
        }

        private void RuleIds(Rule rule, string parent)
        {
            if (!_visited.Add(rule))
            {
                return;
            }

            var path = Path(parent, "rule", rule.Id);
            Id(rule, rule.Id, path, "rule");
            foreach (var e in rule.Expressions)
            {
                if (e is NestedRuleExpression nested)
                {
                    RuleIds(nested.Rule, path);
                    continue;
                }

                var expressionPath = Path(path, "expression", e.Id);
                Id(e, e.Id, expressionPath, "expression");
                if (e is DateExpression date)
                {
                    // date_spec and duration keep their own id among their fields.
                    if (date.DateSpec?.GetValueOrDefault("id") is { } specId)
                    {
                        Id(date.DateSpec, specId, Path(expressionPath, "date_spec", specId), "date_spec");
                    }

                    if (date.Duration?.GetValueOrDefault("id") is { } durationId)
                    {
                        Id(date.Duration, durationId, Path(expressionPath, "duration", durationId), "duration");
                    }
                }
            }
        }

        private void Names(string path, string what, string attribute, ResourceId? id)
        {
            if (id is { } r && !_resources.Contains(r.Value))
            {
                Error(path, $"{what}: {attribute} '{r}' names no resource");
            }
        }

        private void Members(string path, string what, ImmutableArray<ResourceSet> sets)
        {
            foreach (var set in sets)
            {
                var setPath = Path(path, "resource_set", set.Id);
                if (_visited.Add(set))
                {
                    Id(set, set.Id, setPath, "resource_set");
                }

                foreach (var r in set.Resources.Where(r => !_resources.Contains(r.Value)))
                {
                    Error(setPath, $"{what}: resource_set '{set.Id}' member '{r}' names no resource");
                }
            }
        }

        private void Constraint(Constraint c)
        {
            switch (c)
            {
                case LocationConstraint l:
                {
                    var path = Path($"{Root}/constraints", "rsc_location", l.Id);
                    var what = $"rsc_location '{l.Id}'";
                    Id(l, l.Id, path, "rsc_location");
                    Names(path, what, "rsc", l.Resource);
                    Members(path, what, l.Sets);
                    if (l.ResourcePattern is { } pattern && RegexError(pattern.StartsWith('!') ? pattern[1..] : pattern) is { } patternError)
                    {
                        Error(path, $"{what}: rsc-pattern '{pattern}' is not a valid regular expression: {patternError}");
                    }

                    if (l.Node is { } node && !_nodes.Contains(node.Value))
                    {
                        Warning(path, $"{what}: node '{node}' is not a configured node (Pacemaker ignores the constraint)");
                    }

                    foreach (var rule in l.Rules)
                    {
                        RuleIds(rule, path);
                    }

                    break;
                }

                case ColocationConstraint col:
                {
                    var path = Path($"{Root}/constraints", "rsc_colocation", col.Id);
                    var what = $"rsc_colocation '{col.Id}'";
                    Id(col, col.Id, path, "rsc_colocation");
                    Names(path, what, "rsc", col.Dependent);
                    Names(path, what, "with-rsc", col.Primary);
                    Members(path, what, col.Sets);
                    break;
                }

                case OrderConstraint o:
                {
                    var path = Path($"{Root}/constraints", "rsc_order", o.Id);
                    var what = $"rsc_order '{o.Id}'";
                    Id(o, o.Id, path, "rsc_order");
                    Names(path, what, "first", o.First);
                    Names(path, what, "then", o.Then);
                    Members(path, what, o.Sets);
                    break;
                }

                case TicketConstraint t:
                {
                    var path = Path($"{Root}/constraints", "rsc_ticket", t.Id);
                    var what = $"rsc_ticket '{t.Id}'";
                    Id(t, t.Id, path, "rsc_ticket");
                    Names(path, what, "rsc", t.Resource);
                    Members(path, what, t.Sets);
                    break;
                }
            }
        }
    }
}

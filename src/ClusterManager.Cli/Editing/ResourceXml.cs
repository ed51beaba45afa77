using System.Collections.Immutable;
using System.Xml.Linq;
using ClusterManager.Cli.Commands;
using ClusterManager.Model;

namespace ClusterManager.Cli.Editing;

/// <summary>
/// Builds resource elements as pcs writes them: <c>&lt;primitive&gt;</c> with <c>ID-instance_attributes</c>,
/// <c>ID-meta_attributes</c> and operations <c>ID-ACTION-interval-INTERVAL</c>; groups; clones <c>ID-clone</c>.
/// Checks options as pcs does (operation option names and values; agent parameters when the meta-data is known).
/// </summary>
internal static class ResourceXml
{
    /// <summary>The options an <c>op</c> takes (Pacemaker's op attributes, plus OCF_CHECK_LEVEL as an op instance attribute).</summary>
    public static readonly ImmutableArray<string> OperationOptions =
    [
        "id", "interval", "description", "start-delay", "interval-origin", "timeout", "enabled", "record-pending",
        "role", "requires", "on-fail", "OCF_CHECK_LEVEL",
    ];

    /// <summary>Interval and timeout pcs uses for an added monitor when the agent advertises none.</summary>
    public static readonly TimeSpan DefaultMonitorInterval = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of added operations when the agent advertises none.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    private static readonly string[] OnFail = ["ignore", "block", "demote", "stop", "restart", "standby", "fence"];
    private static readonly string[] Roles = ["Stopped", "Started", "Promoted", "Unpromoted", "Master", "Slave"];
    private static readonly string[] Booleans = ["true", "false", "yes", "no", "on", "off", "1", "0", "y", "n"];

    /// <summary>A primitive element (no operations yet: see <see cref="SetOperations"/>).</summary>
    public static XElement Primitive(string id, AgentName agent, IEnumerable<KeyValuePair<string, string>> instance,
        IEnumerable<KeyValuePair<string, string>> meta, ISet<string> ids)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var primitive = new XElement("primitive", new XAttribute("id", id), new XAttribute("class", agent.Class));
        if (agent.Provider is not null)
        {
            primitive.Add(new XAttribute("provider", agent.Provider));
        }

        primitive.Add(new XAttribute("type", agent.Type));
        CibEdit.SetPairs(primitive, "instance_attributes", instance.Where(p => p.Value.Length > 0), ids);
        CibEdit.SetPairs(primitive, "meta_attributes", meta.Where(p => p.Value.Length > 0), ids);
        return primitive;
    }

    /// <summary>
    /// The operations pcs creates: the given ones, plus a monitor when none is given (the agent's advertised interval
    /// and timeout, else 10s/20s; stonith: 60s) and unless <paramref name="noDefaults"/>, start and stop with the
    /// agent's advertised timeouts (else 20s) for non-stonith resources.
    /// </summary>
    public static ImmutableArray<OperationSpec> WithDefaults(
        ImmutableArray<OperationSpec> given, AgentInfo? agent, bool stonith, bool noDefaults)
    {
        var result = given.ToBuilder();
        if (!given.Any(o => o.Action == "monitor"))
        {
            result.Add(stonith
                ? new OperationSpec("monitor", [new("interval", "60s")])
                : new OperationSpec("monitor", [
                    new("interval", Durations.Format(agent?.MonitorInterval is { } i && i > TimeSpan.Zero ? i : DefaultMonitorInterval)),
                    new("timeout", Durations.Format(agent?.Timeouts.GetValueOrDefault("monitor") is { } t && t > TimeSpan.Zero ? t : DefaultTimeout)),
                ]));
        }

        if (!stonith && !noDefaults)
        {
            foreach (var action in new[] { "start", "stop" })
            {
                if (!given.Any(o => o.Action == action))
                {
                    var timeout = agent?.Timeouts.GetValueOrDefault(action) is { } t && t > TimeSpan.Zero ? t : DefaultTimeout;
                    result.Add(new OperationSpec(action, [new("interval", "0s"), new("timeout", Durations.Format(timeout))]));
                }
            }
        }

        return result.ToImmutable();
    }

    /// <summary>
    /// Replaces <paramref name="primitive"/>'s operations with <paramref name="operations"/> (an empty list removes
    /// the element). Ids are pcs's <c>RSC-ACTION-interval-INTERVAL</c> unless an <c>id=</c> is given.
    /// </summary>
    /// <exception cref="UsageException">An option or value is not valid, or an operation is given twice.</exception>
    public static void SetOperations(XElement primitive, IEnumerable<OperationSpec> operations, ISet<string> ids)
    {
        ArgumentNullException.ThrowIfNull(primitive);
        primitive.Element("operations")?.Remove();
        var elements = operations.Select(o => Operation((string)primitive.Attribute("id")!, o, ids)).ToList();
        var seen = new HashSet<(string, TimeSpan)>();
        foreach (var op in elements)
        {
            var key = ((string)op.Attribute("name")!, Durations.Parse((string?)op.Attribute("interval") ?? "0"));
            if (!seen.Add(key))
            {
                throw new UsageException($"operation {key.Item1} with interval {(string?)op.Attribute("interval")} is given more than once");
            }
        }

        if (elements.Count > 0)
        {
            primitive.Add(new XElement("operations", elements));
        }
    }

    /// <summary>One <c>&lt;op&gt;</c> element.</summary>
    /// <exception cref="UsageException">An option or value is not valid.</exception>
    public static XElement Operation(string resourceId, OperationSpec spec, ISet<string> ids)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!ResourceRoleText.TryParseAction(spec.Action, out _) && spec.Action is not ("reload-agent" or "meta-data" or "validate-all" or "status"))
        {
            throw new UsageException($"'{spec.Action}' is not an operation action (use monitor, start, stop, promote, demote, migrate_to, migrate_from, notify, reload, reload-agent)");
        }

        foreach (var (name, value) in spec.Options)
        {
            if (!OperationOptions.Contains(name))
            {
                throw new UsageException($"'{name}' is not a valid operation option (allowed: {string.Join(", ", OperationOptions)})");
            }

            CheckOperationValue(spec.Action, name, value);
        }

        var interval = spec["interval"] ?? (spec.Action == "monitor" ? "60s" : "0s");
        var id = spec["id"] is { } given ? Take(ids, given) : CibEdit.UniqueId(ids, $"{resourceId}-{spec.Action}-interval-{interval}");
        var op = new XElement("op", new XAttribute("id", id), new XAttribute("interval", interval), new XAttribute("name", spec.Action));
        foreach (var (name, value) in spec.Options.Where(o => o.Key is not ("id" or "interval" or "OCF_CHECK_LEVEL")))
        {
            op.SetAttributeValue(name, value);
        }

        if (spec["OCF_CHECK_LEVEL"] is { } level)
        {
            var setId = CibEdit.UniqueId(ids, $"{id}-instance_attributes");
            op.Add(new XElement("instance_attributes", new XAttribute("id", setId),
                new XElement("nvpair", new XAttribute("id", CibEdit.UniqueId(ids, $"{setId}-OCF_CHECK_LEVEL")),
                    new XAttribute("name", "OCF_CHECK_LEVEL"), new XAttribute("value", level))));
        }

        return op;
    }

    /// <summary>
    /// Checks names given for an agent against its meta-data: every name must be a parameter of the agent (for fence
    /// agents also the fencer's <c>pcmk_*</c> options), and required ones must be present when <paramref name="complete"/>.
    /// Returns the problem, or null.
    /// </summary>
    public static string? CheckParameters(AgentName agent, AgentInfo info, IEnumerable<string> names, bool complete)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(info);
        var given = names.ToList();
        var unknown = given.Where(n => !info.Parameters.Contains(n) && !(agent.Class == "stonith" && n.StartsWith("pcmk_", StringComparison.Ordinal)))
            .Distinct().ToList();
        if (unknown.Count > 0)
        {
            var allowed = string.Join(", ", info.Parameters.Select(p => $"'{p}'"));
            return unknown.Count == 1
                ? $"invalid resource option '{unknown[0]}' for {agent}, allowed options are: {allowed} (use --force to override)"
                : $"invalid resource options {string.Join(", ", unknown.Select(u => $"'{u}'"))} for {agent}, allowed options are: {allowed} (use --force to override)";
        }

        if (complete && agent.Class != "stonith")
        {
            var missing = info.Required.Where(r => !given.Contains(r)).ToList();
            if (missing.Count > 0)
            {
                return missing.Count == 1
                    ? $"required resource option '{missing[0]}' of {agent} is missing (use --force to override)"
                    : $"required resource options {string.Join(", ", missing.Select(m => $"'{m}'"))} of {agent} are missing (use --force to override)";
            }
        }

        return null;
    }

    /// <summary>A clone of <paramref name="child"/>: <c>CHILD-clone</c> unless named, with clone options as meta attributes.</summary>
    public static XElement Clone(XElement child, CloneSpec spec, ISet<string> ids)
    {
        ArgumentNullException.ThrowIfNull(child);
        ArgumentNullException.ThrowIfNull(spec);
        var id = spec.Id is { } given ? Take(ids, given) : CibEdit.UniqueId(ids, $"{(string?)child.Attribute("id")}-clone");
        var clone = new XElement("clone", new XAttribute("id", id));
        var options = spec.Promotable ? spec.Options.Prepend(new("promotable", "true")) : spec.Options;
        CibEdit.SetPairs(clone, "meta_attributes", options.Where(p => p.Value.Length > 0), ids);
        clone.Add(child);
        return clone;
    }

    /// <summary>Claims <paramref name="id"/> as given by the user.</summary>
    /// <exception cref="UsageException">The id is not valid or already in use.</exception>
    public static string Take(ISet<string> ids, string id)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (CibEdit.Sanitize(id) != id)
        {
            throw new UsageException($"'{id}' is not a valid id (letters, digits, '_', '-', '.'; starting with a letter or '_')");
        }

        if (!ids.Add(id))
        {
            throw new UsageException($"'{id}' already exists");
        }

        return id;
    }

    private static void CheckOperationValue(string action, string name, string value)
    {
        var ok = name switch
        {
            "interval" or "timeout" or "start-delay" => Durations.TryParse(value, out _),
            "on-fail" => OnFail.Contains(value),
            "role" => Roles.Contains(value),
            "enabled" or "record-pending" => Booleans.Contains(value.ToLowerInvariant()),
            "requires" => value is "nothing" or "quorum" or "fencing" or "unfencing",
            "OCF_CHECK_LEVEL" => int.TryParse(value, out _),
            _ => true,
        };
        if (!ok)
        {
            throw new UsageException($"'{value}' is not a valid {name} value of operation {action}");
        }
    }
}

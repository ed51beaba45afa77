using System.Collections.Immutable;
using System.Xml;
using System.Xml.Linq;
using ClusterManager.Model;

namespace ClusterManager.Agents.Ocf;

/// <summary>One parameter from an agent's meta-data (<c>&lt;parameter&gt;</c>).</summary>
public sealed record AgentParameter(
    string Name, bool Required, bool Unique, string Type, string? Default, string? ShortDescription, string? LongDescription)
{
    /// <summary>OCF 1.1 <c>reloadable="1"</c>: a change of this parameter can be applied by <c>reload-agent</c>.</summary>
    public bool Reloadable { get; init; }
}

/// <summary>
/// How an agent applies changed parameters without a restart: the action to run (<c>reload-agent</c> for an OCF 1.1
/// agent, <c>reload</c> before it) and the parameters that still need a restart.
/// </summary>
public sealed record AgentReload(string Action, ImmutableArray<string> RestartParameters);

/// <summary>One action an agent advertises, with its suggested timeout (and interval for monitors).</summary>
public sealed record AgentActionInfo(string Name, TimeSpan? Timeout, TimeSpan? Interval, string? Depth, string? Role);

/// <summary>
/// An agent's parsed meta-data (OCF 1.1 <c>&lt;resource-agent&gt;</c>): what <c>resource create</c> checks
/// required parameters against and takes default operation timeouts from.
/// </summary>
public sealed record AgentMetadata(
    string Name,
    string? Version,
    string? ShortDescription,
    string? LongDescription,
    ImmutableArray<AgentParameter> Parameters,
    ImmutableArray<AgentActionInfo> Actions)
{
    /// <summary>The OCF standard the agent follows (its <c>&lt;version&gt;</c> element), when it says.</summary>
    public string? OcfVersion { get; init; }

    /// <summary>
    /// Whether and how the agent reloads (Pacemaker's controller reads meta-data the same way): an OCF 1.1 agent with
    /// a <c>reload-agent</c> action reloads the parameters marked <c>reloadable</c>; an older agent with a
    /// <c>reload</c> action reloads all but its <c>unique</c> ones. Null when it cannot reload.
    /// </summary>
    public AgentReload? Reload
    {
        get
        {
            var ocf11 = System.Version.TryParse(OcfVersion, out var v) && v >= new System.Version(1, 1);
            if (ocf11 && Actions.Any(a => a.Name == AgentActions.ReloadAgent))
            {
                return new AgentReload(AgentActions.ReloadAgent, [.. Parameters.Where(p => !p.Reloadable).Select(p => p.Name)]);
            }

            return !ocf11 && Actions.Any(a => a.Name == AgentActions.Reload)
                ? new AgentReload(AgentActions.Reload, [.. Parameters.Where(p => p.Unique).Select(p => p.Name)])
                : null;
        }
    }

    /// <summary>The names of the required parameters missing from <paramref name="given"/>, in meta-data order.</summary>
    public ImmutableArray<string> MissingRequired(IReadOnlyDictionary<string, string> given) =>
        [.. Parameters.Where(p => p.Required && !given.ContainsKey(p.Name)).Select(p => p.Name)];

    /// <summary>The advertised timeout of <paramref name="action"/> (the first entry of that name), or null.</summary>
    public TimeSpan? DefaultTimeout(string action) =>
        Actions.FirstOrDefault(a => a.Name == action && a.Timeout is not null)?.Timeout;

    /// <summary>
    /// Parses meta-data XML. Throws <see cref="FormatException"/> naming the problem when the XML is not
    /// well-formed or has no <c>resource-agent</c> root.
    /// </summary>
    public static AgentMetadata Parse(string xml)
    {
        XDocument doc;
        try
        {
            doc = XDocument.Parse(xml);
        }
        catch (XmlException e)
        {
            throw new FormatException($"agent meta-data is not well-formed XML: {e.Message}", e);
        }

        var root = doc.Root;
        if (root is null || root.Name.LocalName != "resource-agent")
        {
            throw new FormatException($"agent meta-data root is <{root?.Name.LocalName}>, expected <resource-agent>");
        }

        var parameters = root.Element("parameters")?.Elements("parameter").Select(p => new AgentParameter(
            (string?)p.Attribute("name") ?? throw new FormatException("a <parameter> in agent meta-data has no name"),
            IsTrue((string?)p.Attribute("required")),
            IsTrue((string?)p.Attribute("unique")),
            (string?)p.Element("content")?.Attribute("type") ?? "string",
            (string?)p.Element("content")?.Attribute("default"),
            Text(p, "shortdesc"),
            Text(p, "longdesc"))
        {
            Reloadable = IsTrue((string?)p.Attribute("reloadable")),
        }) ?? [];
        var actions = root.Element("actions")?.Elements("action").Select(a => new AgentActionInfo(
            (string?)a.Attribute("name") ?? throw new FormatException("an <action> in agent meta-data has no name"),
            Duration((string?)a.Attribute("timeout")),
            Duration((string?)a.Attribute("interval")),
            (string?)a.Attribute("depth"),
            (string?)a.Attribute("role"))) ?? [];
        return new AgentMetadata(
            (string?)root.Attribute("name") ?? string.Empty,
            (string?)root.Attribute("version") ?? root.Element("version")?.Value.Trim(),
            Text(root, "shortdesc"),
            Text(root, "longdesc"),
            [.. parameters],
            [.. actions])
        {
            OcfVersion = root.Element("version")?.Value.Trim(),
        };
    }

    private static bool IsTrue(string? value) => value is "1" or "true" or "yes" or "on" or "True";

    private static string? Text(XElement parent, string name) => parent.Element(name)?.Value.Trim();

    private static TimeSpan? Duration(string? text) => Durations.TryParse(text, out var value) ? value : null;
}

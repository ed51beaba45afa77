using System.Collections.Immutable;
using System.Xml;
using System.Xml.Linq;

namespace ClusterManager.Fencing.Agents;

/// <summary>
/// One parameter from an agent's metadata. <see cref="Obsoletes"/> names the deprecated parameter this one
/// replaces (<c>ip</c> obsoletes <c>ipaddr</c>).
/// </summary>
public sealed record FenceAgentParameter(
    string Name, bool Required, bool Deprecated, string? Type, string? Default, string? ShortDescription, string? Obsoletes = null);

/// <summary>One action from an agent's metadata; <see cref="Automatic"/> is <c>on automatic="1"</c> (unfence on join).</summary>
public sealed record FenceAgentActionInfo(string Name, bool Automatic, bool OnTarget);

/// <summary>
/// What an agent says about itself with <c>action=metadata</c> (<c>&lt;resource-agent&gt;</c> XML, fence-agents'
/// <c>metadata.rng</c>). The fencer reads which actions exist (list, status, reboot) to choose defaults;
/// <c>hactl stonith describe</c> prints the descriptions.
/// </summary>
public sealed record FenceAgentMetadata(
    string Name,
    string? ShortDescription,
    ImmutableArray<FenceAgentParameter> Parameters,
    ImmutableArray<FenceAgentActionInfo> Actions,
    string? LongDescription = null)
{
    public bool HasAction(string name) => Actions.Any(a => a.Name == name);

    public bool HasParameter(string name) => Parameters.Any(p => p.Name == name);

    /// <summary>Parses metadata XML. Throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static FenceAgentMetadata Parse(string xml)
    {
        XDocument document;
        try
        {
            document = XDocument.Parse(xml);
        }
        catch (XmlException e)
        {
            throw new FormatException($"fence agent metadata is not XML: {e.Message}", e);
        }

        var root = document.Root;
        if (root is null || root.Name.LocalName != "resource-agent")
        {
            throw new FormatException("fence agent metadata: the root element is not <resource-agent>");
        }

        var name = (string?)root.Attribute("name") ??
            throw new FormatException("fence agent metadata: <resource-agent> has no name");
        var parameters = root.Element("parameters")?.Elements("parameter").Select(p => new FenceAgentParameter(
            (string?)p.Attribute("name") ?? throw new FormatException($"fence agent metadata of {name}: a parameter has no name"),
            IsTrue((string?)p.Attribute("required")),
            IsTrue((string?)p.Attribute("deprecated")),
            (string?)p.Element("content")?.Attribute("type"),
            (string?)p.Element("content")?.Attribute("default"),
            p.Element("shortdesc")?.Value.Trim(),
            (string?)p.Attribute("obsoletes"))) ?? [];
        var actions = root.Element("actions")?.Elements("action").Select(a => new FenceAgentActionInfo(
            (string?)a.Attribute("name") ?? throw new FormatException($"fence agent metadata of {name}: an action has no name"),
            IsTrue((string?)a.Attribute("automatic")) || IsTrue((string?)a.Attribute("required")),
            IsTrue((string?)a.Attribute("on_target")))) ?? [];
        return new FenceAgentMetadata(name, (string?)root.Attribute("shortdesc"), [.. parameters], [.. actions],
            root.Element("longdesc")?.Value.Trim());
    }

    private static bool IsTrue(string? value) => value is "1" or "true" or "yes";
}

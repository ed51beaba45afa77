using System.Xml.Linq;
using ClusterManager.Cli.Commands;

namespace ClusterManager.Cli.Editing;

/// <summary>
/// Builds constraint elements with pcs's ids: <c>location-RSC-NODE-SCORE</c>, <c>colocation-RSC-WITH-SCORE</c>,
/// <c>order-FIRST-THEN-KIND</c> (kind lower case), <c>cli-prefer-RSC</c> and <c>cli-ban-RSC-on-NODE</c>.
/// </summary>
internal static class ConstraintXml
{
    /// <summary>Role names as written (Pacemaker 2.1 schema names; Master/Slave are read as Promoted/Unpromoted).</summary>
    public static string Role(string text, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        switch (text.ToLowerInvariant())
        {
            case "promoted":
                return "Promoted";
            case "unpromoted":
                return "Unpromoted";
            case "started":
                return "Started";
            case "stopped":
                return "Stopped";
            case "master":
                warnings.Write("Deprecation Warning: Role value 'Master' is deprecated and should not be used, use 'Promoted' instead\n");
                return "Promoted";
            case "slave":
                warnings.Write("Deprecation Warning: Role value 'Slave' is deprecated and should not be used, use 'Unpromoted' instead\n");
                return "Unpromoted";
            default:
                throw new UsageException($"'{text}' is not a role (use Promoted, Unpromoted, Started or Stopped)");
        }
    }

    /// <summary>True when <paramref name="text"/> names a role (including the deprecated names).</summary>
    public static bool IsRole(string text) =>
        text.ToLowerInvariant() is "promoted" or "unpromoted" or "started" or "stopped" or "master" or "slave";

    /// <summary>Parses a score as pcs takes it (INFINITY, +INFINITY, -INFINITY, an integer); returns its canonical text.</summary>
    /// <exception cref="UsageException">Not a score.</exception>
    public static string Score(string text)
    {
        if (!Model.Score.TryParse(text, out var score))
        {
            throw new UsageException($"invalid score '{text}', use integer or INFINITY or -INFINITY");
        }

        return text.Trim() is "INFINITY" or "+INFINITY" or "-INFINITY" ? score.ToString() : text.Trim();
    }

    public static XElement Location(string id, string resource, string node, string score, string? role = null, string? discovery = null)
    {
        var e = new XElement("rsc_location", new XAttribute("id", id), new XAttribute("rsc", resource));
        if (role is not null)
        {
            e.Add(new XAttribute("role", role));
        }

        e.Add(new XAttribute("node", node), new XAttribute("score", score));
        if (discovery is not null)
        {
            e.Add(new XAttribute("resource-discovery", discovery));
        }

        return e;
    }

    public static XElement Colocation(string id, string resource, string withResource, string score, string? role, string? withRole,
        IEnumerable<KeyValuePair<string, string>> options)
    {
        var e = new XElement("rsc_colocation", new XAttribute("id", id), new XAttribute("rsc", resource), new XAttribute("with-rsc", withResource),
            new XAttribute("score", score));
        if (role is not null)
        {
            e.Add(new XAttribute("rsc-role", role));
        }

        if (withRole is not null)
        {
            e.Add(new XAttribute("with-rsc-role", withRole));
        }

        foreach (var (name, value) in options)
        {
            e.SetAttributeValue(name, value);
        }

        return e;
    }

    public static XElement Order(string id, string first, string firstAction, string then, string thenAction,
        IEnumerable<KeyValuePair<string, string>> options)
    {
        var e = new XElement("rsc_order", new XAttribute("id", id), new XAttribute("first", first), new XAttribute("first-action", firstAction),
            new XAttribute("then", then), new XAttribute("then-action", thenAction));
        foreach (var (name, value) in options)
        {
            e.SetAttributeValue(name, value);
        }

        return e;
    }

    public static string LocationId(string resource, string node, string score) => CibEdit.Sanitize($"location-{resource}-{node}-{score}");

    public static string ColocationId(string resource, string withResource, string score) =>
        CibEdit.Sanitize($"colocation-{resource}-{withResource}-{score}");

    public static string OrderId(string first, string then, string kind) => CibEdit.Sanitize($"order-{first}-{then}-{kind.ToLowerInvariant()}");

    public static string PreferId(string resource) => CibEdit.Sanitize($"cli-prefer-{resource}");

    public static string BanId(string resource, string node) => CibEdit.Sanitize($"cli-ban-{resource}-on-{node}");
}

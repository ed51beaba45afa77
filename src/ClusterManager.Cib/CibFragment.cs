using System.Text;
using System.Xml.Linq;

namespace ClusterManager.Cib;

/// <summary>
/// Pieces that clusterd's store and hactl's offline editing (<c>hactl -f FILE</c>) must do identically, so that a
/// change is read, named and refused the same way on a file as in the cluster.
/// </summary>
public static class CibFragment
{
    /// <summary>
    /// A minimal CIB holding <paramref name="element"/> in its <paramref name="section"/> (<c>resources</c> or
    /// <c>constraints</c>), so that <see cref="CibReader"/> reads a single resource or constraint.
    /// </summary>
    public static XElement Wrap(XElement element, string section) =>
        new(
            "cib",
            new XAttribute("validate-with", "pacemaker-3.7"),
            new XAttribute("epoch", "0"),
            new XAttribute("num_updates", "0"),
            new XAttribute("admin_epoch", "0"),
            new XElement(
                "configuration",
                new XElement("crm_config"),
                new XElement("nodes"),
                new XElement("resources", section == "resources" ? element : null),
                new XElement("constraints", section == "constraints" ? element : null)),
            new XElement("status"));

    /// <summary>Why <paramref name="pattern"/> (a fencing level's target, a location's rsc-pattern) is not a usable regular expression, or null.</summary>
    public static string? PatternError(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (pattern.Length == 0)
        {
            return "it is empty";
        }

        return Model.Validation.ConfigurationValidator.RegexError(pattern);
    }

    /// <summary>The generated id of a fencing level: <c>fl-TARGET-INDEX</c> with characters an id cannot hold replaced, made unique among <paramref name="ids"/>.</summary>
    public static string FencingLevelId(IReadOnlySet<string> ids, string target, int index)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(target);
        var sb = new StringBuilder(target.Length);
        foreach (var c in target)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        var id = $"fl-{sb}-{index}";
        if (!ids.Contains(id))
        {
            return id;
        }

        for (var i = 1; ; i++)
        {
            if (!ids.Contains($"{id}-{i}"))
            {
                return $"{id}-{i}";
            }
        }
    }
}

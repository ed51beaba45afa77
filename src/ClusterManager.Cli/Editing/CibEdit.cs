using System.Text;
using System.Xml.Linq;

namespace ClusterManager.Cli.Editing;

/// <summary>
/// Helpers for editing CIB XML as pcs does: find resources and constraints by id, set and remove name/value pairs
/// with pcs's ids (<c>VirtualIP-meta_attributes-target-role</c>), and make ids unique in the document.
/// </summary>
internal static class CibEdit
{
    /// <summary>The element names of resources.</summary>
    public static readonly string[] ResourceElements = ["primitive", "group", "clone", "master", "bundle"];

    /// <summary>Every resource element under <paramref name="resources"/>, nested ones included, in document order.</summary>
    public static IEnumerable<XElement> AllResources(XElement resources) =>
        resources.Descendants().Where(e => ResourceElements.Contains(e.Name.LocalName));

    /// <summary>The resource element (any depth) with id <paramref name="id"/>, or null.</summary>
    public static XElement? FindResource(XElement resources, string id) =>
        AllResources(resources).FirstOrDefault(e => (string?)e.Attribute("id") == id);

    /// <summary>The top-level resource containing <paramref name="element"/> (itself when it is top-level).</summary>
    public static XElement TopLevel(XElement element)
    {
        var current = element;
        while (current.Parent is { } parent && parent.Name.LocalName != "resources")
        {
            current = parent;
        }

        return current;
    }

    /// <summary>The primitives of a resource element (itself, a group's members, a clone's child's primitives).</summary>
    public static IEnumerable<XElement> Primitives(XElement resource) =>
        resource.Name.LocalName == "primitive" ? [resource] : resource.Descendants("primitive");

    /// <summary>Every id attribute value in the document.</summary>
    public static HashSet<string> AllIds(XDocument document) =>
        [.. document.Descendants().Select(e => (string?)e.Attribute("id")).OfType<string>()];

    /// <summary>
    /// An id that is valid XML (pcs's <c>sanitize_id</c>: invalid characters dropped, a leading digit or '-' or '.'
    /// prefixed) and not in <paramref name="taken"/> (then <c>-1</c>, <c>-2</c> ... appended); added to it.
    /// </summary>
    public static string UniqueId(ISet<string> taken, string candidate)
    {
        ArgumentNullException.ThrowIfNull(taken);
        var id = Sanitize(candidate);
        var unique = id;
        for (var i = 1; taken.Contains(unique); i++)
        {
            unique = $"{id}-{i}";
        }

        taken.Add(unique);
        return unique;
    }

    /// <summary>pcs's id sanitising: keeps letters, digits, '_', '-', '.'; the first character must be a letter or '_'.</summary>
    public static string Sanitize(string candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var sb = new StringBuilder(candidate.Length);
        foreach (var c in candidate)
        {
            if (char.IsLetterOrDigit(c) || c is '_' or '-' or '.')
            {
                sb.Append(c);
            }
        }

        var id = sb.ToString();
        if (id.Length == 0)
        {
            return "_";
        }

        return char.IsLetter(id[0]) || id[0] == '_' ? id : "_" + id;
    }

    /// <summary>
    /// Sets or (for an empty value) removes name/value pairs in <paramref name="owner"/>'s first <paramref name="setName"/>
    /// (<c>meta_attributes</c>, <c>instance_attributes</c>, <c>utilization</c>); the set is created when missing
    /// (id <c>OWNER-SETNAME</c>) and removed when it ends up empty. A removed name is removed from every set of that kind.
    /// </summary>
    public static void SetPairs(XElement owner, string setName, IEnumerable<KeyValuePair<string, string>> pairs, ISet<string> ids)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(pairs);
        foreach (var (name, value) in pairs)
        {
            if (value.Length == 0)
            {
                foreach (var nvpair in owner.Elements(setName).Elements("nvpair").Where(p => (string?)p.Attribute("name") == name).ToList())
                {
                    nvpair.Remove();
                }

                continue;
            }

            var set = owner.Elements(setName).FirstOrDefault();
            if (set is null)
            {
                set = new XElement(setName, new XAttribute("id", UniqueId(ids, $"{(string?)owner.Attribute("id")}-{setName}")));
                InsertSet(owner, set);
            }

            var existing = set.Elements("nvpair").FirstOrDefault(p => (string?)p.Attribute("name") == name);
            if (existing is not null)
            {
                existing.SetAttributeValue("value", value);
            }
            else
            {
                set.Add(new XElement("nvpair",
                    new XAttribute("id", UniqueId(ids, $"{(string?)set.Attribute("id")}-{name}")),
                    new XAttribute("name", name),
                    new XAttribute("value", value)));
            }
        }

        foreach (var empty in owner.Elements(setName).Where(s => !s.HasElements && s.Attribute("id-ref") is null).ToList())
        {
            empty.Remove();
        }
    }

    /// <summary>The value of <paramref name="name"/> in the sets <paramref name="setName"/> of <paramref name="owner"/>, or null.</summary>
    public static string? PairValue(XElement owner, string setName, string name) =>
        (string?)owner.Elements(setName).Elements("nvpair").FirstOrDefault(p => (string?)p.Attribute("name") == name)?.Attribute("value");

    /// <summary>The element as one line of XML (what the API takes).</summary>
    public static string Xml(XElement element) => element.ToString(SaveOptions.DisableFormatting);

    /// <summary>The resource ids a constraint names (rsc, with-rsc, first, then, and resource_ref in sets).</summary>
    public static IEnumerable<string> ReferencedResources(XElement constraint) =>
        new[] { "rsc", "with-rsc", "first", "then" }.Select(a => (string?)constraint.Attribute(a)).OfType<string>()
            .Concat(constraint.Descendants("resource_ref").Select(r => (string?)r.Attribute("id")).OfType<string>());

    // pcs's layout: instance_attributes, meta_attributes, utilization before <operations>; sets of a group or clone
    // before its children.
    private static void InsertSet(XElement owner, XElement set)
    {
        var before = owner.Elements().FirstOrDefault(e => e.Name.LocalName is "operations" || ResourceElements.Contains(e.Name.LocalName));
        if (set.Name.LocalName == "instance_attributes")
        {
            before = owner.Elements().FirstOrDefault(e => e.Name.LocalName is not "instance_attributes") ?? before;
        }

        if (before is null)
        {
            owner.Add(set);
        }
        else
        {
            before.AddBeforeSelf(set);
        }
    }
}

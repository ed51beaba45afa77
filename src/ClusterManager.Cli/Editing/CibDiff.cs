using System.Xml.Linq;
using ClusterManager.Api.V1;
using ClusterManager.Cib;
using ClusterManager.Cli.Commands;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using ClusterManager.Model.Status;

namespace ClusterManager.Cli.Editing;

/// <summary>
/// The change batch that turns one configuration into another (<c>hactl cluster cib-push</c>): top-level resources
/// and constraints by id (compared in the form clusterd stores them, so formatting and attribute order do not count),
/// cluster properties, resource and operation defaults, permanent node attributes, and fencing levels. Applied in one
/// batch the changes are all-or-nothing; their order keeps each step valid: deletions first, then replacements and
/// creations, then options.
/// </summary>
internal static class CibDiff
{
    /// <summary>
    /// The changes from <paramref name="from"/> to the configuration of <paramref name="to"/> (whose elements are sent
    /// as written in <paramref name="toDocument"/>).
    /// </summary>
    public static IReadOnlyList<Change> Compute(ClusterConfiguration from, ClusterConfiguration to, XDocument toDocument)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(toDocument);
        var configuration = toDocument.Root?.Element("configuration");
        XElement Element(string section, string id) =>
            configuration?.Element(section)?.Elements().FirstOrDefault(e => (string?)e.Attribute("id") == id)
            ?? throw new InvalidOperationException($"'{id}' is in the configuration read but not in the document's {section}");

        var changes = new List<Change>();
        var fromConstraints = ById(from.Constraints, c => c.Id, Canonical);
        var toConstraints = ById(to.Constraints, c => c.Id, Canonical);
        var fromResources = ById(from.Resources, r => r.Id.Value, Canonical);
        var toResources = ById(to.Resources, r => r.Id.Value, Canonical);
        var fromLevels = ById(from.FencingTopology, LevelKey, l => l);
        var toLevels = ById(to.FencingTopology, LevelKey, l => l);

        changes.AddRange(from.Constraints.Where(c => !toConstraints.ContainsKey(c.Id)).Select(c => Changes.DeleteConstraint(c.Id)));
        changes.AddRange(from.FencingTopology.Where(l => !toLevels.ContainsKey(LevelKey(l))).Select(l => new Change { DeleteFencingLevel = l.Id }));
        changes.AddRange(from.Resources.Where(r => !toResources.ContainsKey(r.Id.Value)).Select(r => Changes.DeleteResource(r.Id.Value)));
        foreach (var (id, canonical) in toResources)
        {
            if (!fromResources.TryGetValue(id, out var before))
            {
                changes.Add(Changes.PutResource(Element("resources", id), WriteMode.Create));
            }
            else if (before != canonical)
            {
                changes.Add(Changes.PutResource(Element("resources", id), WriteMode.Replace));
            }
        }

        foreach (var (id, canonical) in toConstraints)
        {
            if (!fromConstraints.TryGetValue(id, out var before))
            {
                changes.Add(Changes.PutConstraint(Element("constraints", id), WriteMode.Create));
            }
            else if (before != canonical)
            {
                changes.Add(Changes.PutConstraint(Element("constraints", id), WriteMode.Replace));
            }
        }

        changes.AddRange(Options(from.Properties, to.Properties).Select(o => Changes.SetProperty(o.Name, o.Value)));
        changes.AddRange(Options(from.ResourceDefaults, to.ResourceDefaults).Select(o => Changes.SetResourceDefault(o.Name, o.Value)));
        changes.AddRange(Options(from.OperationDefaults, to.OperationDefaults).Select(o => Changes.SetOperationDefault(o.Name, o.Value)));
        var nodes = from.Nodes.Select(n => n.Name.Value).Concat(to.Nodes.Select(n => n.Name.Value)).Distinct(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            var before = from.Nodes.FirstOrDefault(n => n.Name.Value == node)?.Attributes ?? [];
            var after = to.Nodes.FirstOrDefault(n => n.Name.Value == node)?.Attributes ?? [];
            changes.AddRange(Options(before, after).Select(o => Changes.SetNodeAttribute(node, o.Name, o.Value)));
        }

        foreach (var level in to.FencingTopology.Where(l => !fromLevels.ContainsKey(LevelKey(l))))
        {
            var spec = new FencingLevelSpec
            {
                Id = level.Id,
                Index = level.Index,
                TargetNode = level.Target?.Value ?? "",
                TargetPattern = level.TargetPattern ?? "",
                TargetAttribute = level.TargetAttribute ?? "",
                TargetValue = level.TargetValue ?? "",
                // The level was accepted where it was written; a node that has not joined yet does not block the push.
                Force = true,
            };
            spec.Devices.AddRange(level.Devices.Select(d => d.Value));
            changes.Add(new Change { AddFencingLevel = spec });
        }

        return changes;
    }

    /// <summary>The items by key in document order; a duplicate id (which the validator reports) keeps the first.</summary>
    private static Dictionary<string, TValue> ById<T, TValue>(IEnumerable<T> items, Func<T, string> key, Func<T, TValue> value)
    {
        var result = new Dictionary<string, TValue>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            result.TryAdd(key(item), value(item));
        }

        return result;
    }

    /// <summary>One line per change, for what cib-push prints.</summary>
    public static string Describe(Change change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return change.KindCase switch
        {
            Change.KindOneofCase.PutResource => $"{(change.PutResource.Mode == WriteMode.Create ? "create" : "replace")} resource {IdOf(change.PutResource.Xml)}",
            Change.KindOneofCase.DeleteResource => $"delete resource {change.DeleteResource}",
            Change.KindOneofCase.PutConstraint => $"{(change.PutConstraint.Mode == WriteMode.Create ? "create" : "replace")} constraint {IdOf(change.PutConstraint.Xml)}",
            Change.KindOneofCase.DeleteConstraint => $"delete constraint {change.DeleteConstraint}",
            Change.KindOneofCase.SetProperty => Option("property", change.SetProperty),
            Change.KindOneofCase.SetResourceDefault => Option("resource default", change.SetResourceDefault),
            Change.KindOneofCase.SetOperationDefault => Option("operation default", change.SetOperationDefault),
            Change.KindOneofCase.SetNodeAttribute => change.SetNodeAttribute.HasValue
                ? $"set node {change.SetNodeAttribute.Node} attribute {change.SetNodeAttribute.Name}={change.SetNodeAttribute.Value}"
                : $"unset node {change.SetNodeAttribute.Node} attribute {change.SetNodeAttribute.Name}",
            Change.KindOneofCase.AddFencingLevel => $"add fencing level {change.AddFencingLevel.Id}",
            Change.KindOneofCase.DeleteFencingLevel => $"delete fencing level {change.DeleteFencingLevel}",
            _ => change.KindCase.ToString(),
        };
    }

    private static string Option(string what, NameValue option) =>
        option.HasValue ? $"set {what} {option.Name}={option.Value}" : $"unset {what} {option.Name}";

    private static string IdOf(string xml) => (string?)XElement.Parse(xml).Attribute("id") ?? "";

    /// <summary>The names whose value differs: the new value, or null when the name is gone.</summary>
    private static IEnumerable<(string Name, string? Value)> Options(IEnumerable<NvSet> from, IEnumerable<NvSet> to)
    {
        var before = Flatten(from);
        var after = Flatten(to);
        foreach (var (name, value) in after)
        {
            if (!before.TryGetValue(name, out var old) || old != value)
            {
                yield return (name, value);
            }
        }

        foreach (var name in before.Keys.Where(n => !after.ContainsKey(n)))
        {
            yield return (name, null);
        }
    }

    /// <summary>Each name's value; the first set naming it wins (as clusterd writes one set per scope).</summary>
    private static Dictionary<string, string> Flatten(IEnumerable<NvSet> sets)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in sets.SelectMany(s => s.Pairs))
        {
            values.TryAdd(pair.Name, pair.Value ?? "");
        }

        return values;
    }

    private static string LevelKey(FencingLevel level) =>
        $"{level.Index}|{level.Target?.Value ?? ""}|{level.TargetPattern ?? ""}|{level.TargetAttribute ?? ""}={level.TargetValue ?? ""}|{string.Join(',', level.Devices.Select(d => d.Value))}";

    private static string Canonical(ResourceConfig resource) =>
        Extract(ClusterConfiguration.Empty with { Resources = [resource] }, "resources");

    private static string Canonical(Constraint constraint) =>
        Extract(ClusterConfiguration.Empty with { Constraints = [constraint] }, "constraints");

    /// <summary>The element as clusterd stores it (CibFragments.Extract): written from the model.</summary>
    private static string Extract(ClusterConfiguration config, string section)
    {
        var text = CibWriter.Write(new ClusterSnapshot(0, config, ClusterStatus.Empty, DateTimeOffset.UnixEpoch));
        var element = XDocument.Parse(text).Root!.Element("configuration")!.Element(section)!.Elements().Single();
        return element.ToString(SaveOptions.DisableFormatting);
    }
}

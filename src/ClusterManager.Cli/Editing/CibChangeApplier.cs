using System.Collections.Immutable;
using System.Globalization;
using System.Xml.Linq;
using ClusterManager.Api.V1;
using ClusterManager.Cib;
using ClusterManager.Cli.Client;
using ClusterManager.Model.Configuration;
using ClusterManager.Model.Validation;

namespace ClusterManager.Cli.Editing;

/// <summary>
/// Applies the API's change batches to a CIB document, as clusterd applies them to its store (ProtoMapping.ToBatch,
/// the API's checks, StoreApplier.Check): fragments parsed with <see cref="CibReader"/> (a warning refuses them),
/// ids that must or must not exist, unknown cluster properties, fencing level rules, and in the end
/// <see cref="ConfigurationValidator"/> on the result, refusing any error the document did not already have. The
/// messages are clusterd's. The document is edited in place of the elements (other sections, unknown elements and
/// the status are kept); a refused batch leaves it untouched (the edits go to a copy).
/// </summary>
internal static partial class CibChangeApplier
{
    private const string PropertySetId = "cib-bootstrap-options";
    private const string ResourceDefaultsSetId = "rsc-options";
    private const string OperationDefaultsSetId = "op-options";

    /// <summary>
    /// The document after <paramref name="changes"/>, with its epoch advanced; or null and the errors (clusterd's
    /// messages, one per problem).
    /// </summary>
    /// <exception cref="LiveClusterRequiredException">A change only a running cluster can make (fence records).</exception>
    /// <exception cref="CibFormatException"><paramref name="cib"/> is not a CIB.</exception>
    public static (XDocument? Cib, ImmutableArray<string> Errors) Apply(XDocument cib, IReadOnlyList<Change> changes, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(cib);
        ArgumentNullException.ThrowIfNull(changes);
        var errors = ImmutableArray.CreateBuilder<string>();
        var fragments = new Dictionary<int, XElement>();
        for (var i = 0; i < changes.Count; i++)
        {
            if (Parse(changes[i]) is { } error)
            {
                errors.Add($"change {i + 1}: {error}");
            }
            else if ((changes[i].PutResource ?? changes[i].PutConstraint) is { } put)
            {
                fragments[i] = XElement.Parse(put.Xml);
            }
        }

        if (changes.Count == 0)
        {
            errors.Add("the batch has no changes");
        }

        if (errors.Count > 0)
        {
            return (null, errors.ToImmutable());
        }

        var before = Read(cib, now);
        if (UnknownTargetNode(changes, before, cib) is { } unknown)
        {
            return (null, [unknown]);
        }

        var edited = new XDocument(cib);
        var configurationChanged = false;
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            configurationChanged |= change.KindCase != Change.KindOneofCase.ClearResourceHistory;
            var error = change.KindCase switch
            {
                Change.KindOneofCase.PutResource => Put(Section(edited, "resources"), fragments[i], change.PutResource.Mode, "resource"),
                Change.KindOneofCase.DeleteResource => Delete(Section(edited, "resources"), change.DeleteResource,
                    $"resource '{change.DeleteResource}' does not exist (only top-level resources can be deleted; change a group by replacing it)"),
                Change.KindOneofCase.PutConstraint => Put(Section(edited, "constraints"), fragments[i], change.PutConstraint.Mode, "constraint"),
                Change.KindOneofCase.DeleteConstraint => Delete(Section(edited, "constraints"), change.DeleteConstraint,
                    $"constraint '{change.DeleteConstraint}' does not exist"),
                Change.KindOneofCase.SetProperty => SetOption(Section(edited, "crm_config"), "cluster_property_set", PropertySetId, change.SetProperty, property: true),
                Change.KindOneofCase.SetResourceDefault => SetOption(Section(edited, "rsc_defaults"), "meta_attributes", ResourceDefaultsSetId, change.SetResourceDefault, property: false),
                Change.KindOneofCase.SetOperationDefault => SetOption(Section(edited, "op_defaults"), "meta_attributes", OperationDefaultsSetId, change.SetOperationDefault, property: false),
                Change.KindOneofCase.SetNodeAttribute => SetNodeAttribute(Section(edited, "nodes"), change.SetNodeAttribute),
                Change.KindOneofCase.ClearResourceHistory => ClearHistory(edited, change.ClearResourceHistory),
                Change.KindOneofCase.AddFencingLevel => AddFencingLevel(edited, change.AddFencingLevel, now),
                Change.KindOneofCase.DeleteFencingLevel => Delete(Section(edited, "fencing-topology"), change.DeleteFencingLevel,
                    $"fencing level '{change.DeleteFencingLevel}' does not exist"),
                _ => $"unsupported change {change.KindCase}",
            };
            if (error is not null)
            {
                errors.Add(error);
            }
        }

        if (errors.Count > 0)
        {
            return (null, errors.ToImmutable());
        }

        if (configurationChanged)
        {
            var known = ErrorsOf(before).ToHashSet();
            foreach (var (path, message) in ErrorsOf(Read(edited, now)))
            {
                if (!known.Contains((path, message)))
                {
                    errors.Add($"{path}: {message}");
                }
            }

            if (errors.Count > 0)
            {
                return (null, errors.ToImmutable());
            }
        }

        var root = edited.Root!;
        root.SetAttributeValue("epoch", (Epoch(cib) + 1).ToString(CultureInfo.InvariantCulture));
        root.SetAttributeValue("num_updates", "0");
        return (edited, []);
    }

    /// <summary>The <c>epoch</c> attribute of the document's <c>&lt;cib&gt;</c> (0 when missing or not a number).</summary>
    public static long Epoch(XDocument cib)
    {
        ArgumentNullException.ThrowIfNull(cib);
        return long.TryParse((string?)cib.Root?.Attribute("epoch"), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch) ? epoch : 0;
    }

    /// <summary>The configuration of a CIB document.</summary>
    /// <exception cref="CibFormatException">The document is not a CIB.</exception>
    public static ClusterConfiguration Read(XDocument cib, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(cib);
        return CibReader.Parse(cib.ToString(SaveOptions.DisableFormatting), now).Snapshot.Configuration;
    }

    private static IEnumerable<(string Path, string Message)> ErrorsOf(ClusterConfiguration config) =>
        ConfigurationValidator.Validate(config).Where(i => i.Severity == IssueSeverity.Error).Select(i => (i.ElementPath, i.Message));

    /// <summary>What clusterd's API refuses before the store sees the batch (ProtoMapping.ToBatch).</summary>
    private static string? Parse(Change change) => change.KindCase switch
    {
        Change.KindOneofCase.PutResource => ParseFragment(change.PutResource.Xml, "resources") is { } e ? $"put_resource: {e}" : null,
        Change.KindOneofCase.PutConstraint => ParseFragment(change.PutConstraint.Xml, "constraints") is { } e ? $"put_constraint: {e}" : null,
        Change.KindOneofCase.DeleteResource when string.IsNullOrWhiteSpace(change.DeleteResource) => "delete_resource: the id is empty",
        Change.KindOneofCase.DeleteConstraint when string.IsNullOrWhiteSpace(change.DeleteConstraint) => "delete_constraint: the id is empty",
        Change.KindOneofCase.ClearResourceHistory when string.IsNullOrWhiteSpace(change.ClearResourceHistory.Resource) => "clear_resource_history: the resource id is empty",
        Change.KindOneofCase.DeleteFencingLevel when string.IsNullOrWhiteSpace(change.DeleteFencingLevel) => "delete_fencing_level: the id is empty",
        Change.KindOneofCase.ConfirmFenced => throw new LiveClusterRequiredException("confirming that a node is down (stonith confirm)"),
        Change.KindOneofCase.ClearFenceHistory => throw new LiveClusterRequiredException("the fence history"),
        Change.KindOneofCase.RecordFence => throw new LiveClusterRequiredException("recording a fence"),
        Change.KindOneofCase.None => "the change is empty (no kind set)",
        _ => null,
    };

    /// <summary>CibFragments.ParseWrapped: one element of <paramref name="section"/> read in an otherwise empty CIB.</summary>
    private static string? ParseFragment(string xml, string section)
    {
        XElement element;
        try
        {
            element = XElement.Parse(xml);
        }
        catch (System.Xml.XmlException ex)
        {
            return $"not well-formed XML: {ex.Message}";
        }

        var cib = CibFragment.Wrap(element, section);
        try
        {
            var doc = CibReader.Parse(cib.ToString(SaveOptions.DisableFormatting), DateTimeOffset.UnixEpoch);
            if (!doc.Warnings.IsEmpty)
            {
                return string.Join("; ", doc.Warnings);
            }

            var count = section == "resources" ? doc.Snapshot.Configuration.Resources.Length : doc.Snapshot.Configuration.Constraints.Length;
            return count == 1
                ? null
                : section == "resources"
                    ? $"expected one resource element (primitive, group, clone, master), found {count}"
                    : $"expected one constraint element (rsc_location, rsc_colocation, rsc_order, rsc_ticket), found {count}";
        }
        catch (CibFormatException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>The <c>configuration/NAME</c> element, created when missing.</summary>
    private static XElement Section(XDocument cib, string name)
    {
        var root = cib.Root!;
        var configuration = root.Element("configuration");
        if (configuration is null)
        {
            configuration = new XElement("configuration");
            root.AddFirst(configuration);
        }

        var section = configuration.Element(name);
        if (section is null)
        {
            section = new XElement(name);
            configuration.Add(section);
        }

        return section;
    }

    private static string? Put(XElement section, XElement element, WriteMode mode, string what)
    {
        var id = (string?)element.Attribute("id") ?? "";
        var existing = section.Elements().FirstOrDefault(e => (string?)e.Attribute("id") == id);
        if (existing is null)
        {
            if (mode == WriteMode.Replace)
            {
                return $"{what} '{id}' does not exist";
            }

            section.Add(new XElement(element));
            return null;
        }

        if (mode == WriteMode.Create)
        {
            return $"{what} '{id}' already exists";
        }

        existing.ReplaceWith(new XElement(element));
        return null;
    }

    private static string? Delete(XElement section, string id, string missing)
    {
        var existing = section.Elements().FirstOrDefault(e => (string?)e.Attribute("id") == id);
        if (existing is null)
        {
            return missing;
        }

        existing.Remove();
        return null;
    }

    private static string? SetOption(XElement section, string setElement, string setId, NameValue option, bool property)
    {
        if (string.IsNullOrWhiteSpace(option.Name))
        {
            return "an option name is empty";
        }

        var value = option.HasValue ? option.Value : null;
        if (property && value is not null && UnknownPropertyWarning(option.Name, value) is { } unknown)
        {
            // clusterd refuses what the validator only warns about: setting an unknown property is a typo.
            return unknown;
        }

        SetInSets(section, setElement, setId, option.Name, value);
        return null;
    }

    private static string? UnknownPropertyWarning(string name, string value)
    {
        var probe = ClusterConfiguration.Empty with { Properties = [NvSet.Of(PropertySetId, (name, value))] };
        return ConfigurationValidator.Validate(probe).FirstOrDefault(i => i.Severity == IssueSeverity.Warning) is { } w
            ? $"{w.ElementPath}: {w.Message}"
            : null;
    }

    private static string? SetNodeAttribute(XElement nodes, NodeAttribute attribute)
    {
        if (string.IsNullOrWhiteSpace(attribute.Node) || string.IsNullOrWhiteSpace(attribute.Name))
        {
            return "a node attribute needs a node name and an attribute name";
        }

        var node = nodes.Elements("node").FirstOrDefault(n => ((string?)n.Attribute("uname") ?? (string?)n.Attribute("id")) == attribute.Node);
        if (node is null)
        {
            node = new XElement("node", new XAttribute("id", attribute.Node), new XAttribute("uname", attribute.Node), new XAttribute("type", "member"));
            nodes.Add(node);
        }

        SetInSets(node, "instance_attributes", $"nodes-{(string?)node.Attribute("id")}", attribute.Name, attribute.HasValue ? attribute.Value : null);
        return null;
    }

    /// <summary>
    /// StoreApplier.SetInSets: sets a name in the set with id <paramref name="setId"/> (created when missing), or
    /// removes it from every set when unsetting, so no lower-priority set keeps an old value.
    /// </summary>
    private static void SetInSets(XElement parent, string setElement, string setId, string name, string? value)
    {
        if (value is null)
        {
            foreach (var pair in parent.Elements(setElement).Elements("nvpair").Where(p => (string?)p.Attribute("name") == name).ToList())
            {
                pair.Remove();
            }

            return;
        }

        var set = parent.Elements(setElement).FirstOrDefault(s => (string?)s.Attribute("id") == setId);
        if (set is null)
        {
            set = new XElement(setElement, new XAttribute("id", setId));
            parent.Add(set);
        }

        var existing = set.Elements("nvpair").FirstOrDefault(p => (string?)p.Attribute("name") == name);
        if (existing is not null)
        {
            existing.SetAttributeValue("value", value);
        }
        else
        {
            set.Add(new XElement("nvpair", new XAttribute("id", $"{setId}-{name}"), new XAttribute("name", name), new XAttribute("value", value)));
        }
    }

    private static string? ClearHistory(XDocument cib, ClearResourceHistory clear)
    {
        var node = clear.HasNode && clear.Node.Length > 0 ? clear.Node : null;
        var records = cib.Root!.Elements("status").Elements("node_state")
            .Where(n => node is null || ((string?)n.Attribute("uname") ?? (string?)n.Attribute("id")) == node)
            .Elements("lrm").Elements("lrm_resources").Elements("lrm_resource")
            .Where(r => (string?)r.Attribute("id") == clear.Resource)
            .ToList();
        foreach (var record in records)
        {
            record.Remove();
        }

        return null;
    }
}

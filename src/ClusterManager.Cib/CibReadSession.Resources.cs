using System.Collections.Immutable;
using System.Xml.Linq;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Cib;

internal sealed partial class CibReadSession
{
    private static readonly HashSet<string> ModelledOpAttributes =
        ["id", "name", "interval", "timeout", "role", "on-fail", "enabled"];

    private ResourceConfig? ReadTopResource(XElement e)
    {
        switch (e.Name.LocalName)
        {
            case "primitive":
                return ReadPrimitive(e);
            case "group":
                return ReadGroup(e);
            case "clone":
                return ReadClone(e, isLegacyMaster: false);
            case "master":
                return ReadClone(e, isLegacyMaster: true);
            case "bundle":
                Warn($"{CibXml.Describe(e)}: bundles are not supported; the bundle and its contents are ignored");
                return null;
            case "template":
                Warn($"{CibXml.Describe(e)}: resource templates are not supported as resources; the template is ignored (primitives using it take only its agent)");
                return null;
            default:
                Warn($"{CibXml.Describe(e)}: <{e.Name.LocalName}> in resources is not modelled; ignored");
                return null;
        }
    }

    private PrimitiveConfig ReadPrimitive(XElement e)
    {
        var id = e.Required("id");
        var cls = e.Attr("class");
        var provider = e.Attr("provider");
        var type = e.Attr("type");
        if (e.Attr("template") is { } templateId)
        {
            if (!_idIndex.TryGetValue(templateId, out var template) || template.Name.LocalName != "template")
            {
                throw CibXml.Fail(e, $"template '{templateId}' names no resource template");
            }

            if (cls is null && type is null)
            {
                cls = template.Attr("class");
                provider = template.Attr("provider");
                type = template.Attr("type");
            }

            Warn($"{CibXml.Describe(e)}: template references are not supported; took the agent from template '{templateId}', its attributes and operations are ignored");
        }

        if (cls is null)
        {
            throw CibXml.Fail(e, "required attribute 'class' is missing");
        }

        if (type is null)
        {
            throw CibXml.Fail(e, "required attribute 'type' is missing");
        }

        var instance = ImmutableArray.CreateBuilder<NvSet>();
        var meta = ImmutableArray.CreateBuilder<NvSet>();
        var utilization = ImmutableArray.CreateBuilder<NvSet>();
        var operations = ImmutableArray.CreateBuilder<OperationConfig>();
        foreach (var child in e.Elements())
        {
            switch (child.Name.LocalName)
            {
                case "instance_attributes":
                    instance.Add(ReadNvSet(child));
                    break;
                case "meta_attributes":
                    meta.Add(ReadNvSet(child));
                    break;
                case "utilization":
                    utilization.Add(ReadNvSet(child));
                    break;
                case "operations":
                    foreach (var op in Expand(child).Elements())
                    {
                        if (op.Name.LocalName == "op")
                        {
                            operations.Add(ReadOperation(op));
                        }
                        else
                        {
                            Warn($"{CibXml.Describe(op)}: <{op.Name.LocalName}> in operations of primitive '{id}' is not modelled; ignored");
                        }
                    }

                    break;
                default:
                    Warn($"{CibXml.Describe(e)}: <{child.Name.LocalName}> is not modelled; ignored");
                    break;
            }
        }

        var result = new PrimitiveConfig(
            new ResourceId(id), cls, provider, type,
            instance.ToImmutable(), meta.ToImmutable(), utilization.ToImmutable(), operations.ToImmutable());
        if (result.AllMetaNames().Contains("remote-node"))
        {
            Warn($"{CibXml.Describe(e)}: guest nodes (meta remote-node) are not supported; treated as an ordinary primitive");
        }

        if (cls == "ocf" && provider == "pacemaker" && type == "remote")
        {
            Warn($"{CibXml.Describe(e)}: Pacemaker Remote connections are not supported; treated as an ordinary primitive");
        }

        return result;
    }

    private OperationConfig ReadOperation(XElement e)
    {
        var id = e.Required("id");
        var name = e.Required("name");
        var interval = e.OptionalDuration("interval") ?? throw CibXml.Fail(e, "required attribute 'interval' is missing");
        var meta = ImmutableArray.CreateBuilder<NvSet>();
        var instance = ImmutableArray.CreateBuilder<NvSet>();
        foreach (var child in e.Elements())
        {
            switch (child.Name.LocalName)
            {
                case "meta_attributes":
                    meta.Add(ReadNvSet(child));
                    break;
                case "instance_attributes":
                    instance.Add(ReadNvSet(child));
                    break;
                default:
                    Warn($"{CibXml.Describe(e)}: <{child.Name.LocalName}> is not modelled; ignored");
                    break;
            }
        }

        var extra = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var a in e.Attributes())
        {
            if (!ModelledOpAttributes.Contains(a.Name.LocalName))
            {
                extra[a.Name.LocalName] = a.Value;
            }
        }

        return new OperationConfig(
            id,
            name,
            interval,
            ReadTimeout(e),
            e.OptionalRole("role"),
            e.Attr("on-fail"),
            e.OptionalBool("enabled") ?? true,
            meta.ToImmutable(),
            instance.ToImmutable(),
            extra.ToImmutable());
    }

    /// <summary>An unparsable timeout is not fatal in Pacemaker (the default timeout applies): warn and drop it.</summary>
    private TimeSpan? ReadTimeout(XElement e)
    {
        var text = e.Attr("timeout");
        if (text is null)
        {
            return null;
        }

        if (Durations.TryParse(text, out var timeout))
        {
            return timeout;
        }

        Warn($"{CibXml.Describe(e)}: timeout '{text}' is not a valid interval; ignored (the default timeout applies, as in Pacemaker)");
        return null;
    }

    private GroupConfig ReadGroup(XElement e)
    {
        var id = e.Required("id");
        var meta = ImmutableArray.CreateBuilder<NvSet>();
        var instance = ImmutableArray.CreateBuilder<NvSet>();
        var members = ImmutableArray.CreateBuilder<PrimitiveConfig>();
        foreach (var child in e.Elements())
        {
            switch (child.Name.LocalName)
            {
                case "meta_attributes":
                    meta.Add(ReadNvSet(child));
                    break;
                case "primitive":
                    members.Add(ReadPrimitive(child));
                    break;
                case "instance_attributes":
                    instance.Add(ReadNvSet(child));
                    break;
                default:
                    Warn($"{CibXml.Describe(e)}: <{child.Name.LocalName}> in a group is not modelled; ignored");
                    break;
            }
        }

        if (members.Count == 0)
        {
            throw CibXml.Fail(e, "a group needs at least one primitive");
        }

        var group = new GroupConfig(new ResourceId(id), meta.ToImmutable(), members.ToImmutable());
        return (GroupConfig)Inherit(e, group, instance.ToImmutable());
    }

    /// <summary>
    /// Parameters (instance_attributes) of a group or clone are parameters of every primitive inside it in Pacemaker
    /// (<c>get_rsc_attributes</c> falls back to the parent's). The model keeps parameters on primitives only, so the
    /// parent's sets are put in front of each primitive's own: the primitive's sets then win ties, as Pacemaker
    /// unpacks them first. (A parent set with a higher score than the primitive's would win here but not in
    /// Pacemaker.) The writer writes such a shared set once and as an id-ref after that.
    /// </summary>
    private ResourceConfig Inherit(XElement e, ResourceConfig resource, ImmutableArray<NvSet> parentSets)
    {
        if (parentSets.IsEmpty)
        {
            return resource;
        }

        Warn($"{CibXml.Describe(e)}: instance_attributes {string.Join(", ", parentSets.Select(s => $"'{s.Id}'"))} on a {e.Name.LocalName} are applied to each primitive inside it (Pacemaker's parameter inheritance); they are written there");
        return resource switch
        {
            PrimitiveConfig p => p with { InstanceAttributes = [.. parentSets, .. p.InstanceAttributes] },
            GroupConfig g => g with { Members = [.. g.Members.Select(m => m with { InstanceAttributes = [.. parentSets, .. m.InstanceAttributes] })] },
            _ => resource,
        };
    }

    private CloneConfig ReadClone(XElement e, bool isLegacyMaster)
    {
        var id = e.Required("id");
        var meta = ImmutableArray.CreateBuilder<NvSet>();
        var instance = ImmutableArray.CreateBuilder<NvSet>();
        ResourceConfig? child = null;
        foreach (var c in e.Elements())
        {
            switch (c.Name.LocalName)
            {
                case "meta_attributes":
                    meta.Add(ReadNvSet(c));
                    break;
                case "primitive" or "group" when child is not null:
                    throw CibXml.Fail(e, $"a clone holds exactly one primitive or group, found a second: {CibXml.Describe(c)}");
                case "primitive":
                    child = ReadPrimitive(c);
                    break;
                case "group":
                    child = ReadGroup(c);
                    break;
                case "instance_attributes":
                    instance.Add(ReadNvSet(c));
                    break;
                default:
                    Warn($"{CibXml.Describe(e)}: <{c.Name.LocalName}> in a clone is not modelled; ignored");
                    break;
            }
        }

        return child is null
            ? throw CibXml.Fail(e, "a clone needs a primitive or a group")
            : new CloneConfig(new ResourceId(id), meta.ToImmutable(), Inherit(e, child, instance.ToImmutable()), isLegacyMaster);
    }
}

internal static class PrimitiveConfigExtensions
{
    public static IEnumerable<string> AllMetaNames(this PrimitiveConfig p) =>
        p.Meta.SelectMany(s => s.Pairs).Select(pair => pair.Name);
}

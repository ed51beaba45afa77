using System.Collections.Immutable;
using System.Xml.Linq;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Cib;

internal sealed partial class CibReadSession
{
    public void ReadConfiguration(XElement configuration)
    {
        IndexIds(configuration);

        var properties = ImmutableArray.CreateBuilder<NvSet>();
        var nodes = ImmutableArray.CreateBuilder<NodeConfig>();
        var resources = ImmutableArray.CreateBuilder<ResourceConfig>();
        var constraints = ImmutableArray.CreateBuilder<Constraint>();
        var rscDefaults = ImmutableArray.CreateBuilder<NvSet>();
        var opDefaults = ImmutableArray.CreateBuilder<NvSet>();
        var fencing = ImmutableArray.CreateBuilder<FencingLevel>();

        foreach (var section in configuration.Elements())
        {
            switch (section.Name.LocalName)
            {
                case "crm_config":
                    ReadSets(section, properties, "cluster_property_set");
                    break;
                case "nodes":
                    foreach (var node in section.Elements())
                    {
                        if (node.Name.LocalName == "node")
                        {
                            nodes.Add(ReadNode(node));
                        }
                        else
                        {
                            Warn($"{CibXml.Describe(node)}: <{node.Name.LocalName}> in nodes is not modelled; ignored");
                        }
                    }

                    break;
                case "resources":
                    foreach (var rsc in section.Elements())
                    {
                        if (ReadTopResource(rsc) is { } r)
                        {
                            resources.Add(r);
                        }
                    }

                    break;
                case "constraints":
                    foreach (var c in section.Elements())
                    {
                        if (ReadConstraint(c) is { } constraint)
                        {
                            constraints.Add(constraint);
                        }
                    }

                    break;
                case "rsc_defaults":
                    ReadSets(section, rscDefaults, "meta_attributes");
                    break;
                case "op_defaults":
                    ReadSets(section, opDefaults, "meta_attributes");
                    break;
                case "fencing-topology":
                    foreach (var level in section.Elements())
                    {
                        if (level.Name.LocalName == "fencing-level")
                        {
                            fencing.Add(ReadFencingLevel(level));
                        }
                        else
                        {
                            Warn($"{CibXml.Describe(level)}: <{level.Name.LocalName}> in fencing-topology is not modelled; ignored");
                        }
                    }

                    break;
                case "tags":
                    Warn($"tags: resource tags are not supported; {section.Elements().Count()} tag(s) ignored (constraints naming a tag will name an unknown resource)");
                    break;
                case "acls":
                    Warn("acls: access control lists are not modelled; ignored");
                    break;
                case "alerts":
                    Warn("alerts: alert agents are not modelled; ignored");
                    break;
                default:
                    Warn($"configuration: section <{section.Name.LocalName}> is not modelled; ignored");
                    break;
            }
        }

        _configuration = new ClusterConfiguration(
            properties.ToImmutable(),
            nodes.ToImmutable(),
            resources.ToImmutable(),
            constraints.ToImmutable(),
            rscDefaults.ToImmutable(),
            opDefaults.ToImmutable(),
            fencing.ToImmutable());
    }

    private void ReadSets(XElement parent, ImmutableArray<NvSet>.Builder into, string setName)
    {
        foreach (var e in parent.Elements())
        {
            if (e.Name.LocalName == setName)
            {
                into.Add(ReadNvSet(e));
            }
            else
            {
                Warn($"{CibXml.Describe(e)}: <{e.Name.LocalName}> in {parent.Name.LocalName} is not modelled (expected {setName}); ignored");
            }
        }
    }

    private NodeConfig ReadNode(XElement e)
    {
        var id = e.Required("id");
        var uname = e.Attr("uname") ?? id;
        var type = e.Attr("type") switch
        {
            null or "member" or "normal" => NodeType.Member,
            "remote" => NodeType.Remote,
            "ping" => NodeType.Ping,
            var t => throw CibXml.Fail(e, $"type '{t}' is not a node type (member, remote, ping)"),
        };
        var name = new NodeName(uname);
        _nodeNamesById.TryAdd(id, name);

        var attributes = ImmutableArray.CreateBuilder<NvSet>();
        var utilization = ImmutableArray.CreateBuilder<NvSet>();
        foreach (var child in e.Elements())
        {
            switch (child.Name.LocalName)
            {
                case "instance_attributes":
                    attributes.Add(ReadNvSet(child));
                    break;
                case "utilization":
                    utilization.Add(ReadNvSet(child));
                    break;
                default:
                    Warn($"{CibXml.Describe(e)}: <{child.Name.LocalName}> is not modelled; ignored");
                    break;
            }
        }

        return new NodeConfig(id, name, type, e.OptionalScore("score"), attributes.ToImmutable(), utilization.ToImmutable());
    }

    private FencingLevel ReadFencingLevel(XElement e)
    {
        var id = e.Required("id");
        var index = e.RequiredInt("index");
        var devices = e.Required("devices")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => new ResourceId(d))
            .ToImmutableArray();
        var target = e.Attr("target");
        return new FencingLevel(
            id,
            index,
            target is null ? null : new NodeName(target),
            e.Attr("target-pattern"),
            e.Attr("target-attribute"),
            e.Attr("target-value"),
            devices);
    }
}

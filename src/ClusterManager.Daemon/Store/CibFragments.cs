using System.Collections.Immutable;
using System.Xml.Linq;
using ClusterManager.Cib;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using ClusterManager.Model.Status;

namespace ClusterManager.Daemon.Store;

/// <summary>
/// Configuration elements as CIB XML fragments (one <c>&lt;primitive&gt;</c>, one <c>&lt;rsc_order&gt;</c>, ...),
/// through <see cref="CibReader"/> and <see cref="CibWriter"/>: the API, the log entries and the snapshots all use
/// the format Pacemaker users know, and the reader's checks apply to every element that enters the store.
/// </summary>
public static class CibFragments
{
    private static readonly DateTimeOffset Epoch0 = DateTimeOffset.UnixEpoch;

    /// <summary>Writes a whole configuration as a CIB document (status section empty).</summary>
    public static string WriteConfiguration(ClusterConfiguration config, long epoch) =>
        CibWriter.Write(new ClusterSnapshot(epoch, config, ClusterStatus.Empty, Epoch0));

    /// <summary>Writes configuration and recorded status as one CIB document.</summary>
    public static string WriteCib(ClusterConfiguration config, ClusterStatus status, long epoch) =>
        CibWriter.Write(new ClusterSnapshot(epoch, config, status, Epoch0));

    /// <summary>Reads configuration and status written by <see cref="WriteCib"/> or <see cref="WriteConfiguration"/>.</summary>
    /// <exception cref="CibFormatException">The text is not a CIB.</exception>
    public static (ClusterConfiguration Configuration, ClusterStatus Status) ReadCib(string cib)
    {
        var snapshot = CibReader.Parse(cib, Epoch0).Snapshot;
        return (snapshot.Configuration, snapshot.Status);
    }

    /// <summary>One operation record as a <c>node_state</c> fragment holding just that resource and operation.</summary>
    public static string WriteOperation(NodeName node, ResourceHistory resource, OperationRecord operation)
    {
        var status = ClusterStatus.Empty with
        {
            Nodes = [new NodeState(node.Value, node, null, null, null, null, ImmutableSortedDictionary<string, string>.Empty, [resource with { Operations = [operation] }])],
        };
        var doc = XDocument.Parse(WriteCib(ClusterConfiguration.Empty, status, 0));
        return doc.Root!.Element("status")!.Elements().Single().ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>Parses a fragment written by <see cref="WriteOperation"/>.</summary>
    public static (NodeName Node, ResourceHistory Resource, OperationRecord Operation)? ParseOperation(string xml)
    {
        var cib = $"<cib validate-with=\"pacemaker-3.7\" epoch=\"0\" num_updates=\"0\" admin_epoch=\"0\"><configuration><crm_config/><nodes/><resources/><constraints/></configuration><status>{xml}</status></cib>";
        try
        {
            var doc = CibReader.Parse(cib, Epoch0);
            if (doc.Snapshot.Status.Nodes is [var node] && node.Resources is [var resource] && resource.Operations is [var op])
            {
                return (node.Name, resource, op);
            }
        }
        catch (CibFormatException)
        {
            // Not an operation fragment: null below.
        }

        return null;
    }

    public static string WriteResource(ResourceConfig resource) =>
        Extract(ClusterConfiguration.Empty with { Resources = [resource] }, "resources");

    public static string WriteConstraint(Constraint constraint) =>
        Extract(ClusterConfiguration.Empty with { Constraints = [constraint] }, "constraints");

    /// <summary>Parses one resource element; the error names the problem when it is not exactly one valid resource.</summary>
    public static (ResourceConfig? Resource, string? Error) ParseResource(string xml)
    {
        var (config, error) = ParseWrapped(xml, "resources");
        if (config is null)
        {
            return (null, error);
        }

        return config.Resources.Length == 1
            ? (config.Resources[0], null)
            : (null, $"expected one resource element (primitive, group, clone, master), found {config.Resources.Length}");
    }

    /// <summary>Parses one constraint element; the error names the problem when it is not exactly one valid constraint.</summary>
    public static (Constraint? Constraint, string? Error) ParseConstraint(string xml)
    {
        var (config, error) = ParseWrapped(xml, "constraints");
        if (config is null)
        {
            return (null, error);
        }

        return config.Constraints.Length == 1
            ? (config.Constraints[0], null)
            : (null, $"expected one constraint element (rsc_location, rsc_colocation, rsc_order, rsc_ticket), found {config.Constraints.Length}");
    }

    private static (ClusterConfiguration? Config, string? Error) ParseWrapped(string xml, string section)
    {
        XElement element;
        try
        {
            element = XElement.Parse(xml);
        }
        catch (System.Xml.XmlException ex)
        {
            return (null, $"not well-formed XML: {ex.Message}");
        }

        var cib = CibFragment.Wrap(element, section);
        try
        {
            var doc = CibReader.Parse(cib.ToString(SaveOptions.DisableFormatting), Epoch0);
            return doc.Warnings.IsEmpty
                ? (doc.Snapshot.Configuration, null)
                : (null, string.Join("; ", doc.Warnings));
        }
        catch (CibFormatException ex)
        {
            return (null, ex.Message);
        }
    }

    private static string Extract(ClusterConfiguration config, string section)
    {
        var doc = XDocument.Parse(WriteConfiguration(config, 0));
        var element = doc.Root!.Element("configuration")!.Element(section)!.Elements().Single();
        return element.ToString(SaveOptions.DisableFormatting);
    }
}

using System.Xml.Linq;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using ClusterManager.Model.Status;

namespace ClusterManager.Cib;

/// <summary>The state of one read: indexes, caches for id-ref'd sets and rules, and what has been read so far.</summary>
internal sealed partial class CibReadSession
{
    private readonly List<string> _warnings = [];
    private readonly Dictionary<string, XElement> _idIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<XElement, NvSet> _nvSets = [];
    private readonly Dictionary<XElement, Rule> _rules = [];
    private readonly Dictionary<string, NodeName> _nodeNamesById = new(StringComparer.Ordinal);
    private readonly List<NodeState> _nodeStates = [];
    private readonly List<TicketState> _tickets = [];

    private long _epoch;
    private bool _haveQuorum;
    private string? _dcUuid;
    private string? _featureSet;
    private bool _noQuorumPanic;
    private long? _executionDate;
    private ClusterConfiguration _configuration = ClusterConfiguration.Empty;

    public void Warn(string line) => _warnings.Add(line);

    public void ReadCibAttributes(XElement cib)
    {
        _epoch = cib.OptionalLong("epoch") ?? 0;

        // Pacemaker: crm_is_true(have-quorum); absent means no quorum.
        var quorum = cib.Attr("have-quorum");
        _haveQuorum = quorum is not null && CibXml.TryParseBool(quorum, out var q) && q;
        _dcUuid = cib.Attr("dc-uuid");
        _featureSet = cib.Attr("crm_feature_set");
        var panic = cib.Attr("no-quorum-panic");
        _noQuorumPanic = panic is not null && CibXml.TryParseBool(panic, out var p) && p;
        _executionDate = cib.OptionalLong("execution-date");
    }

    public CibDocument Finish(DateTimeOffset defaultNow)
    {
        NodeName? dc = null;
        if (!string.IsNullOrEmpty(_dcUuid))
        {
            if (_nodeNamesById.TryGetValue(_dcUuid, out var name))
            {
                dc = name;
            }
            else if (_dcUuid != "0")
            {
                // "0" is the placeholder many CIBs carry before a DC is elected; anything else deserves a line.
                Warn($"cib: dc-uuid '{_dcUuid}' names no configured node or node_state; no designated controller recorded");
            }
        }

        var now = _executionDate is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : defaultNow;
        var status = new ClusterStatus(_haveQuorum, dc, _featureSet, _noQuorumPanic, [.. _nodeStates], [.. _tickets]);
        var snapshot = new ClusterSnapshot(_epoch, _configuration, status, now);
        return new CibDocument(snapshot, [.. _warnings]);
    }

    private void IndexIds(XElement root)
    {
        foreach (var e in root.DescendantsAndSelf())
        {
            if (e.Attribute("id")?.Value is { } id && e.Name.LocalName != "node")
            {
                _idIndex.TryAdd(id, e);
            }
        }
    }

    /// <summary>Follows an <c>id-ref</c> to the element it names (the element itself when it has none).</summary>
    private XElement Expand(XElement e)
    {
        var reference = e.Attr("id-ref");
        if (reference is null)
        {
            return e;
        }

        return _idIndex.TryGetValue(reference, out var target)
            ? target
            : throw CibXml.Fail(e, $"id-ref '{reference}' names no element in the configuration");
    }

}

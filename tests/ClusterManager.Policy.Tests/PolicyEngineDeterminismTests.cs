using System.Collections.Immutable;
using System.Text.Json;
using ClusterManager.Cib;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using ClusterManager.Policy.Tests.Conformance;

namespace ClusterManager.Policy.Tests;

/// <summary>
/// The engine is a pure function: the same snapshot gives byte-identical output, run after run, and so does the
/// same snapshot with its elements reordered wherever order carries no meaning. (Where Pacemaker gives document
/// order a meaning, e.g. resource order for assignment ties or constraint order for location arithmetic, the
/// order is part of the input.)
/// </summary>
public sealed class PolicyEngineDeterminismTests
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static IEnumerable<TestCaseData> Cases() =>
        ConformanceCorpus.Cases.Select(c => new TestCaseData(c.Key).SetName($"Determinism(\"{c.Key}\")"));

    private static ClusterSnapshot Load(string key)
    {
        var testCase = ConformanceCorpus.Get(key);
        return CibReader.Parse(File.ReadAllText(testCase.XmlPath), ConformanceRun.DefaultNow).Snapshot;
    }

    private static string Serialize(Transition t) => JsonSerializer.Serialize(t, Json);

    [TestCaseSource(nameof(Cases))]
    public void Compute_GivesIdenticalBytes_ForShuffledEquivalentInputs(string key)
    {
        var snapshot = Load(key);
        var expected = Serialize(PolicyEngine.Compute(snapshot));

        Assert.That(Serialize(PolicyEngine.Compute(snapshot)), Is.EqualTo(expected), "a second run differs");
        for (var seed = 1; seed <= 3; seed++)
        {
            var shuffled = Shuffle(snapshot, new Random(seed * 7919 + key.Length));
            Assert.That(Serialize(PolicyEngine.Compute(shuffled)), Is.EqualTo(expected), $"shuffle seed {seed} differs");
        }
    }

    /// <summary>
    /// The CIB reader gives every node's history of one resource the same id and agent strings, and the engine
    /// compares those by reference before comparing text (Scheduler.FindHistoryResource, Scheduler.AgentDiffers).
    /// A snapshot built otherwise (each string its own copy, as a decoder without pooling gives) must not decide
    /// anything differently.
    /// </summary>
    [TestCaseSource(nameof(Cases))]
    public void Compute_GivesIdenticalBytes_WhenStatusStringsAreNotShared(string key)
    {
        var snapshot = Load(key);
        var expected = Serialize(PolicyEngine.Compute(snapshot));

        static string Copy(string value) => new(value.AsSpan());
        var unshared = snapshot with
        {
            Status = snapshot.Status with
            {
                Nodes = [.. snapshot.Status.Nodes.Select(n => n with
                {
                    Resources = [.. n.Resources.Select(h => h with
                    {
                        Id = new ResourceId(Copy(h.Id.Value)),
                        Class = Copy(h.Class),
                        Provider = h.Provider is null ? null : Copy(h.Provider),
                        Type = Copy(h.Type),
                    })],
                })],
            },
        };

        Assert.That(Serialize(PolicyEngine.Compute(unshared)), Is.EqualTo(expected));
    }

    /// <summary>
    /// Reorders what has no order in Pacemaker's semantics: node definitions (Pacemaker sorts them), each
    /// resource's operation history (sorted by call id), the pairs of a set when their names are distinct,
    /// and the transient attributes (a map).
    /// </summary>
    private static ClusterSnapshot Shuffle(ClusterSnapshot s, Random random)
    {
        ImmutableArray<T> Mix<T>(ImmutableArray<T> items) => [.. items.OrderBy(_ => random.Next())];

        NvSet MixSet(NvSet set) =>
            set.Pairs.Select(p => p.Name).Distinct().Count() == set.Pairs.Length ? set with { Pairs = Mix(set.Pairs) } : set;

        ImmutableArray<NvSet> MixSets(ImmutableArray<NvSet> sets) => [.. sets.Select(MixSet)];

        var config = s.Configuration with
        {
            Nodes = Mix(s.Configuration.Nodes).Select(n => n with { Attributes = MixSets(n.Attributes) }).ToImmutableArray(),
            Properties = MixSets(s.Configuration.Properties),
            ResourceDefaults = MixSets(s.Configuration.ResourceDefaults),
            OperationDefaults = MixSets(s.Configuration.OperationDefaults),
        };
        var status = s.Status with
        {
            Nodes = [.. s.Status.Nodes.Select(n => n with
            {
                Resources = [.. n.Resources.Select(h => h.Operations.Select(o => o.CallId).Distinct().Count() == h.Operations.Length
                    ? h with { Operations = Mix(h.Operations) }
                    : h)],
            })],
        };
        return s with { Configuration = config, Status = status };
    }
}

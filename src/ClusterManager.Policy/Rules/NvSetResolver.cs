using System.Collections.Immutable;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Policy.Rules;

/// <summary>
/// Resolves nvpair sets into one name→value table the way Pacemaker 2.1.5 does (<c>pe_eval_nvpairs</c>,
/// <c>make_pairs</c>, <c>sort_pairs</c>, <c>populate_hash</c> in lib/pengine/rules.c):
/// sets are ordered by score, highest first; sets with equal scores are taken in <b>reverse document order</b>
/// (Pacemaker prepends each set to a list and then stable-sorts it; confirmed with crm_simulate 2.1.5: of two
/// unscored meta_attributes sets, the later one's target-role wins). Sets whose rule does not hold are skipped;
/// the first value found for a name wins; a value of <c>#default</c> removes a value found earlier; pairs without a
/// value are skipped.
/// </summary>
public static class NvSetResolver
{
    /// <summary>Resolves <paramref name="sets"/> (in document order) against <paramref name="context"/>.</summary>
    public static ImmutableSortedDictionary<string, string> Resolve(IEnumerable<NvSet> sets, RuleContext context) =>
        Resolve(sets, context, alwaysFirstId: null);

    /// <summary>
    /// As <see cref="Resolve(IEnumerable{NvSet}, RuleContext)"/>, with the set whose id equals
    /// <paramref name="alwaysFirstId"/> (case-insensitive) taken before all others, whatever its score; Pacemaker
    /// does this for <c>cib-bootstrap-options</c> among the cluster property sets.
    /// </summary>
    public static ImmutableSortedDictionary<string, string> Resolve(IEnumerable<NvSet> sets, RuleContext context, string? alwaysFirstId) =>
        ResolveToDictionary(sets, context, alwaysFirstId).ToImmutableSortedDictionary(StringComparer.Ordinal);

    /// <summary>
    /// As <see cref="Resolve(IEnumerable{NvSet}, RuleContext, string?)"/>, into a new mutable dictionary (the scheduler
    /// resolves the sets of every resource and keeps them in one): no sorted copy, and no sorting of sets when there
    /// is at most one.
    /// </summary>
    internal static Dictionary<string, string> ResolveToDictionary(IEnumerable<NvSet> sets, RuleContext context, string? alwaysFirstId = null)
    {
        ArgumentNullException.ThrowIfNull(sets);
        ArgumentNullException.ThrowIfNull(context);
        if (sets is IReadOnlyList<NvSet> { Count: <= 1 } few)
        {
            var single = new Dictionary<string, string>(StringComparer.Ordinal);
            if (few.Count == 1)
            {
                AddSet(single, few[0], context);
            }

            return single;
        }

        var list = sets.ToList();
        list.Reverse();
        var ordered = list
            .Select((set, index) => (set, index))
            .OrderBy(x => alwaysFirstId is not null && string.Equals(x.set.Id, alwaysFirstId, StringComparison.OrdinalIgnoreCase) ? 0 : 1)
            .ThenByDescending(x => x.set.Score)
            .ThenBy(x => x.index)
            .Select(x => x.set);

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var set in ordered)
        {
            AddSet(result, set, context);
        }

        return result;
    }

    private static void AddSet(Dictionary<string, string> result, NvSet set, RuleContext context)
    {
        if (set.Rule is not null && !RuleEvaluator.Evaluate(set.Rule, context))
        {
            return;
        }

        foreach (var pair in set.Pairs)
        {
            if (pair.Value is not { } value)
            {
                continue;
            }

            if (value.Equals("#default", StringComparison.OrdinalIgnoreCase))
            {
                result.Remove(pair.Name);
            }
            else
            {
                result.TryAdd(pair.Name, value);
            }
        }
    }
}

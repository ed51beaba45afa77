using System.Xml.Linq;
using ClusterManager.Cib;
using ClusterManager.Policy.Tests.Conformance;

namespace ClusterManager.Policy.Tests;

/// <summary>
/// Bad input never crashes the reader or the engine: every corpus CIB, damaged at random (an attribute removed or
/// given a nonsense value or another element's id, an element removed, duplicated or renamed), is either read and computed, or refused with
/// <see cref="CibFormatException"/> / <see cref="PolicyInputException"/>. Seeded, so a failure is reproducible: the
/// message names the case, the seed and the damage.
/// </summary>
public sealed class BadInputFuzzTests
{
    private const int VariantsPerCase = 6;

    private static readonly string[] Nonsense =
        ["", " ", "-1", "0", "abc", "INFINITY", "-INFINITY", "+INFINITY", "99999999999999999999", "1.5", "yes", "-", "#uname", "Promoted", "\u00e9t\u00e9"];

    private static readonly string[] Tags =
        ["primitive", "group", "clone", "master", "bundle", "rsc_location", "rsc_order", "rsc_colocation", "rule", "expression",
         "date_expression", "nvpair", "op", "lrm_rsc_op", "lrm_resource", "node_state", "node", "resource_set", "resource_ref"];

    public static IEnumerable<TestCaseData> Cases() =>
        ConformanceCorpus.Cases.Select(c => new TestCaseData(c.Key).SetName($"BadInput(\"{c.Key}\")"));

    [TestCaseSource(nameof(Cases))]
    public void ReadAndCompute_RefuseOrSucceed_WhenCibIsDamaged(string key)
    {
        var original = XDocument.Parse(File.ReadAllText(ConformanceCorpus.Get(key).XmlPath));
        var crashes = new List<string>();
        for (var variant = 0; variant < VariantsPerCase; variant++)
        {
            // A seed from the key's characters (string hash codes differ from run to run).
            var seed = key.Aggregate(17, (h, ch) => unchecked((h * 31) + ch)) ^ (variant * 7919);
            var random = new Random(seed);
            var doc = new XDocument(original);
            var damage = Damage(doc, random);
            try
            {
                var snapshot = CibReader.Parse(doc.ToString(SaveOptions.DisableFormatting), ConformanceRun.DefaultNow).Snapshot;
                PolicyEngine.Compute(snapshot);
            }
            catch (CibFormatException e) when (e.Message.Length > 0)
            {
                // Refused, with a message.
            }
            catch (PolicyInputException e) when (e.Message.Length > 0)
            {
                // Refused by the engine, with a message.
            }
            catch (Exception e)
            {
                crashes.Add($"seed {seed}, {damage}: {e.GetType().Name}: {e.Message.Split('\n')[0]}\n{e.StackTrace?.Split('\n').FirstOrDefault()}");
            }
        }

        Assert.That(crashes, Is.Empty, string.Join("\n", crashes));
    }

    /// <summary>One to four random damages; returns what was done.</summary>
    private static string Damage(XDocument doc, Random random)
    {
        var done = new List<string>();
        var count = random.Next(1, 5);
        for (var i = 0; i < count; i++)
        {
            var elements = doc.Root!.DescendantsAndSelf().ToList();
            var element = elements[random.Next(elements.Count)];
            var path = $"<{element.Name.LocalName} id='{(string?)element.Attribute("id")}'>";
            switch (random.Next(6))
            {
                case 0 when element.Attributes().Any():
                {
                    var attribute = element.Attributes().ElementAt(random.Next(element.Attributes().Count()));
                    attribute.Remove();
                    done.Add($"removed {attribute.Name} of {path}");
                    break;
                }

                case 1 when element.Attributes().Any():
                {
                    var attribute = element.Attributes().ElementAt(random.Next(element.Attributes().Count()));
                    var value = Nonsense[random.Next(Nonsense.Length)];
                    done.Add($"set {attribute.Name}='{value}' on {path}");
                    attribute.Value = value;
                    break;
                }

                case 2 when element.Parent is not null:
                    element.Remove();
                    done.Add($"removed {path}");
                    break;
                case 3 when element.Parent is not null:
                    element.AddAfterSelf(new XElement(element));
                    done.Add($"duplicated {path}");
                    break;
                case 4 when element.Parent is not null:
                {
                    var tag = Tags[random.Next(Tags.Length)];
                    element.Name = tag;
                    done.Add($"renamed {path} to <{tag}>");
                    break;
                }

                case 5 when element.Attributes().Any():
                {
                    // Another element's id: references that name the wrong kind of thing, ids used twice.
                    var attribute = element.Attributes().ElementAt(random.Next(element.Attributes().Count()));
                    var ids = elements.Select(x => (string?)x.Attribute("id")).OfType<string>().ToList();
                    var value = ids.Count > 0 ? ids[random.Next(ids.Count)] : "x";
                    done.Add($"set {attribute.Name}='{value}' on {path}");
                    attribute.Value = value;
                    break;
                }

                default:
                    done.Add("nothing");
                    break;
            }
        }

        return string.Join(", ", done);
    }
}

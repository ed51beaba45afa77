using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace ClusterManager.Cib;

/// <summary>
/// Reads a Pacemaker CIB (schemas pacemaker-1.x to 3.x as written by Pacemaker 2.1.5) into a
/// <see cref="Model.ClusterSnapshot"/>. The configuration section is loaded as a tree (it is small and id-refs need
/// an index); the status section, which dominates large CIBs, is read straight from the XmlReader without a tree.
/// Resources, constraints and sets keep document order. Elements that are not modelled produce a warning
/// in <see cref="CibDocument.Warnings"/>; malformed input throws <see cref="CibFormatException"/>.
/// </summary>
public static class CibReader
{
    /// <summary>
    /// Parses CIB text. <see cref="Model.ClusterSnapshot.Now"/> is the <c>execution-date</c> attribute of
    /// <c>&lt;cib&gt;</c> (Unix seconds) when present, else <paramref name="defaultNow"/>.
    /// </summary>
    /// <exception cref="CibFormatException">The text is not a CIB this reader accepts.</exception>
    public static CibDocument Parse(string xml, DateTimeOffset defaultNow)
    {
        ArgumentNullException.ThrowIfNull(xml);
        using var text = new StringReader(xml);
        return Read(text, defaultNow);
    }

    /// <summary>Reads a CIB file; see <see cref="Parse"/>.</summary>
    /// <exception cref="CibFormatException">The file is not a CIB this reader accepts.</exception>
    public static CibDocument Load(string path, DateTimeOffset defaultNow)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var text = new StreamReader(stream);
        return Read(text, defaultNow);
    }

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        CloseInput = false,
    };

    private static CibDocument Read(TextReader text, DateTimeOffset defaultNow)
    {
        var session = new CibReadSession();
        try
        {
            using var reader = XmlReader.Create(text, Settings);
            reader.MoveToContent();
            if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "cib")
            {
                throw new CibFormatException($"the document element is <{reader.LocalName}>, not <cib>", "/");
            }

            var cib = new XElement("cib");
            if (reader.MoveToFirstAttribute())
            {
                do
                {
                    cib.SetAttributeValue(reader.LocalName, reader.Value);
                }
                while (reader.MoveToNextAttribute());

                reader.MoveToElement();
            }

            session.ReadCibAttributes(cib);
            if (reader.IsEmptyElement)
            {
                return session.Finish(defaultNow);
            }

            var depth = reader.Depth;
            reader.Read();
            while (!reader.EOF && !(reader.Depth == depth && reader.NodeType == XmlNodeType.EndElement))
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    reader.Read();
                    continue;
                }

                switch (reader.LocalName)
                {
                    case "configuration":
                        var configuration = LoadElement(reader);
                        cib.Add(configuration);
                        session.ReadConfiguration(configuration);
                        break;
                    case "status":
                        ReadStatus(reader, cib, session);
                        break;
                    default:
                        session.Warn($"cib: element <{reader.LocalName}> is not part of a CIB; ignored");
                        reader.Skip();
                        break;
                }
            }

            return session.Finish(defaultNow);
        }
        catch (XmlException e)
        {
            throw new CibFormatException(
                $"malformed XML at line {e.LineNumber.ToString(CultureInfo.InvariantCulture)}, column {e.LinePosition.ToString(CultureInfo.InvariantCulture)}: {e.Message}",
                "/",
                e);
        }
    }

    private static void ReadStatus(XmlReader reader, XElement cib, CibReadSession session)
    {
        var status = new XElement("status");
        cib.Add(status);
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return;
        }

        var depth = reader.Depth;
        reader.Read();
        while (!reader.EOF && !(reader.Depth == depth && reader.NodeType == XmlNodeType.EndElement))
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                reader.Read();
                continue;
            }

            switch (reader.LocalName)
            {
                case "node_state":
                    session.ReadNodeState(reader);
                    break;
                case "tickets":
                    var tickets = LoadElement(reader);
                    status.Add(tickets);
                    session.ReadTickets(tickets);
                    break;
                default:
                    session.Warn($"status: element <{reader.LocalName}> is not modelled; ignored");
                    reader.Skip();
                    break;
            }
        }

        reader.Read();
    }

    private static XElement LoadElement(XmlReader reader)
    {
        XElement element;
        using (var subtree = reader.ReadSubtree())
        {
            element = XElement.Load(subtree, LoadOptions.SetLineInfo);
        }

        reader.Read();
        return element;
    }
}

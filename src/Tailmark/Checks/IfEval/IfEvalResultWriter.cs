using System.Globalization;
using System.Text;
using Tailmark.Io;

namespace Tailmark.Checks.IfEval;

/// <summary>
/// Writes eval_results_{strict,loose}.jsonl byte for byte as the reference does (Python's json.dumps with its
/// default separators and ASCII escaping), so the files can be diffed against the reference's.
/// </summary>
public static class IfEvalResultWriter
{
    /// <summary>
    /// Writes every result, a line each, straight to the file (atomically). Not built as one string first: each line
    /// holds the whole prompt and response, so a file is a few copies of the input, which a short command would
    /// otherwise spend its time allocating.
    /// </summary>
    public static void WriteFile(string path, IEnumerable<IfEvalResult> results)
    {
        using var output = AtomicFile.Create(path, out var commit);
        using (var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true))
        {
            foreach (var r in results)
            {
                Write(writer, r);
                writer.Write('\n');
            }
        }
        output.Flush();
        commit();
    }

    public static string Line(IfEvalResult r)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(writer, r);
        return writer.ToString();
    }

    private static void Write(TextWriter w, IfEvalResult r)
    {
        w.Write("{\"follow_all_instructions\": ");
        w.Write(r.FollowedAll ? "true" : "false");
        w.Write(", \"follow_instruction_list\": [");
        for (var i = 0; i < r.Followed.Length; i++)
        {
            if (i > 0) w.Write(", ");
            w.Write(r.Followed[i] ? "true" : "false");
        }
        w.Write("], \"instruction_id_list\": [");
        for (var i = 0; i < r.Item.InstructionIds.Length; i++)
        {
            if (i > 0) w.Write(", ");
            PyString(w, r.Item.InstructionIds[i]);
        }
        w.Write("], \"prompt\": ");
        PyString(w, r.Item.Prompt);
        w.Write(", \"response\": ");
        PyString(w, r.Response);
        w.Write('}');
    }

    /// <summary>A JSON string as Python's json.dumps(ensure_ascii=True) writes it: runs of printable ASCII as they are.</summary>
    public static void PyString(TextWriter w, string s)
    {
        w.Write('"');
        var run = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is >= ' ' and <= '~' and not '"' and not '\\') continue;
            w.Write(s.AsSpan(run, i - run));
            run = i + 1;
            switch (c)
            {
                case '"': w.Write("\\\""); break;
                case '\\': w.Write("\\\\"); break;
                case '\n': w.Write("\\n"); break;
                case '\r': w.Write("\\r"); break;
                case '\t': w.Write("\\t"); break;
                case '\b': w.Write("\\b"); break;
                case '\f': w.Write("\\f"); break;
                default:
                    w.Write("\\u");
                    w.Write(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
            }
        }
        w.Write(s.AsSpan(run));
        w.Write('"');
    }
}

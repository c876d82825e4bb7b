using System.Security.Cryptography;
using System.Text;

namespace Tailmark.Rubrics;

/// <summary>
/// A stable key for a prompt when no prompt id is given: the first 16 hex digits of the SHA-256 of the
/// normalized prompt. Normalization: each message as "role: content" (a text prompt is one user message),
/// Unicode NFC, runs of white space collapsed to one space, trimmed, messages joined by a newline.
/// </summary>
public static class PromptKey
{
    public static string Normalize(PromptContent prompt)
    {
        var sb = new StringBuilder();
        foreach (var m in prompt.AsMessages())
        {
            if (sb.Length > 0) sb.Append('\n');
            sb.Append(m.Role.Trim().ToLowerInvariant()).Append(": ").Append(CollapseSpace(m.Content.Normalize(NormalizationForm.FormC)));
        }
        return sb.ToString();
    }

    public static string Hash(PromptContent prompt)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(Normalize(prompt)));
        return "p-" + Convert.ToHexStringLower(bytes)[..16];
    }

    private static string CollapseSpace(string text)
    {
        var sb = new StringBuilder(text.Length);
        var space = false;
        foreach (var ch in text)
        {
            if (char.IsWhiteSpace(ch))
            {
                space = sb.Length > 0;
                continue;
            }
            if (space) sb.Append(' ');
            space = false;
            sb.Append(ch);
        }
        return sb.ToString();
    }
}

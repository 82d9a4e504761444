using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using CnnGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Docs
{
    /// <summary>
    /// Every C# block of README.md and docs/ compiles with the generator and the analyzer, as it would pasted into a
    /// project. A block's fence says what it is:
    /// <list type="bullet">
    /// <item><c>```csharp</c>: a whole file (a Program.cs: top-level statements first, then types); it must build clean.</item>
    /// <item><c>fragment=declarations</c>: types only, compiled in a file that starts with <c>using CnnGen;</c>.</item>
    /// <item><c>fragment=statements with=Name</c>: statements, compiled as a program with <c>using CnnGen;</c> and the
    /// document's earlier block that declares class Name.</item>
    /// <item><c>expect=CNN001,CNN003</c>: the block shows a mistake: exactly these CnnGen errors, nothing else wrong.</item>
    /// </list>
    /// </summary>
    public sealed class DocsTests
    {
        public sealed record Block(string File, int Line, string Info, string Code)
        {
            public override string ToString() => File + ":" + Line;

            public string? Attribute(string name)
            {
                Match match = Regex.Match(Info, "\\b" + name + "=([^ ]+)");
                return match.Success ? match.Groups[1].Value : null;
            }
        }

        private static IEnumerable<string> Documents() =>
            new[] { Path.Combine(Repository.Root, "README.md") }
                .Concat(Directory.EnumerateFiles(Path.Combine(Repository.Root, "docs"), "*.md", SearchOption.AllDirectories))
                .OrderBy(f => f, StringComparer.Ordinal);

        public static List<Block> CSharpBlocks(string file)
        {
            var blocks = new List<Block>();
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                string trimmed = lines[i].TrimStart();
                if (!trimmed.StartsWith("```csharp", StringComparison.Ordinal))
                {
                    continue;
                }

                int start = i + 1;
                int end = start;
                while (end < lines.Length && lines[end].TrimStart() != "```")
                {
                    end++;
                }

                blocks.Add(new Block(Path.GetRelativePath(Repository.Root, file), i + 1, trimmed.Substring("```csharp".Length).Trim(), string.Join("\n", lines, start, end - start)));
                i = end;
            }

            return blocks;
        }

        public static IEnumerable<object[]> AllBlocks() =>
            Documents().SelectMany(CSharpBlocks).Select(b => new object[] { b });

        [Theory]
        [MemberData(nameof(AllBlocks))]
        public void Every_CSharp_block_compiles_as_its_fence_says(Block block)
        {
            string source = block.Attribute("fragment") switch
            {
                null => block.Code,
                "declarations" => "using CnnGen;\n" + block.Code,
                "statements" => "using CnnGen;\n" + block.Code + "\n" + Declaring(block, block.Attribute("with") ?? throw new Xunit.Sdk.XunitException(block + ": a statements fragment names its context with with=Class")),
                string other => throw new Xunit.Sdk.XunitException(block + ": unknown fragment kind " + other),
            };

            bool program = block.Attribute("fragment") is null or "statements";
            CompileResult result = TestCompiler.Compile(program ? TestCompiler.CreateProgramCompilation(source) : TestCompiler.CreateCompilation(source));
            string[] expected = block.Attribute("expect")?.Split(',') ?? Array.Empty<string>();
            var errors = result.All.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            Assert.True(
                errors.Select(d => d.Id).OrderBy(i => i).SequenceEqual(expected.OrderBy(i => i)),
                block + ": expected " + (expected.Length == 0 ? "a clean build" : string.Join(", ", expected)) + ", got:\n" + string.Join("\n", errors) + "\n---\n" + source);
            Assert.DoesNotContain(result.All, d => d.Id is "AD0001" or "CS8785" or "CNN008");
        }

        [Fact]
        public void The_documents_have_CSharp_blocks_and_the_diagnostic_pages_show_their_mistake()
        {
            List<Block> blocks = Documents().SelectMany(CSharpBlocks).ToList();
            Assert.True(blocks.Count >= 15, blocks.Count + " blocks");
            foreach (string page in Directory.EnumerateFiles(Path.Combine(Repository.Root, "docs", "diagnostics"), "CNN0*.md"))
            {
                string id = Path.GetFileNameWithoutExtension(page);
                if (id is "CNN008" or "CNN009" or "CNN010")
                {
                    continue; // an internal error has no declaration to show; the infos are not errors
                }

                Assert.Contains(blocks, b => b.File.EndsWith(id + ".md", StringComparison.Ordinal) && (b.Attribute("expect") ?? string.Empty).Contains(id, StringComparison.Ordinal));
            }
        }

        /// <summary>README.md is the package's readme: on a package page only absolute links resolve.</summary>
        [Fact]
        public void Every_link_in_the_README_is_absolute_or_an_anchor()
        {
            string readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
            var relative = Regex.Matches(readme, @"\]\(([^)]+)\)")
                .Select(m => m.Groups[1].Value)
                .Where(target => !target.StartsWith("https://", StringComparison.Ordinal) && !target.StartsWith("#", StringComparison.Ordinal))
                .ToList();
            Assert.Empty(relative);
        }

        /// <summary>The text of the earlier block in the same document that declares class <paramref name="name"/>.</summary>
        private static string Declaring(Block block, string name)
        {
            Block? found = CSharpBlocks(Path.Combine(Repository.Root, block.File))
                .LastOrDefault(b => b.Line < block.Line && Regex.IsMatch(b.Code, @"\bclass\s+" + name + @"\b"));
            return found?.Code ?? throw new Xunit.Sdk.XunitException(block + ": no earlier block declares class " + name);
        }
    }
}

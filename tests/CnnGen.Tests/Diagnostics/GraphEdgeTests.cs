using System.Linq;
using CnnGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Diagnostics
{
    /// <summary>
    /// Contract v2's layers at the edges: names that are contextual keywords referenced by From and Add in a class whose
    /// own name is a keyword, and sizes whose concatenation or batch-norm parameters pass int.MaxValue (CNN003, never a
    /// crash or an overflowing literal).
    /// </summary>
    public sealed class GraphEdgeTests
    {
        [Fact]
        public void Contextual_keyword_names_are_referenced_in_an_escaped_class_and_the_code_compiles_clean()
        {
            const string source = """
                using CnnGen;

                [Input(8, 8, 3)] [Conv(4, 3, Padding = 1)] [Relu(Name = "nameof")] [Conv(4, 1, From = "nameof", Name = "var")] [BatchNorm(Name = "await")]
                [Add("nameof")] [Concat("var", "await", "Input")] [GlobalAvgPool] [FullyConnected(2)] [Softmax]
                public partial class @class { }
                """;
            CompileResult result = TestCompiler.Compile(source);
            Assert.DoesNotContain(result.All, d => d.Severity >= DiagnosticSeverity.Warning);
            Assert.Single(result.GeneratedTrees);
        }

        [Theory]
        [InlineData("[Input(32768, 32768, 1)] [Concat(\"Input\", \"Input\")]", "Concat (layer 1): output volume 32768x32768x2 = 2,147,483,648 floats is too large to compute (above int.MaxValue = 2,147,483,647); smaller sizes would fit")]
        [InlineData("[Input(1, 1, 1073741824)] [BatchNorm]", "Bn1: parameter total up to this layer = 2,147,483,648 floats is too large to compute (above int.MaxValue = 2,147,483,647); smaller sizes would fit")]
        public void Sizes_past_int_MaxValue_are_CNN003_not_a_crash(string layers, string message)
        {
            CompileResult result = TestCompiler.Compile("using CnnGen;\n\n" + layers + "\npublic partial class Big { }");
            Diagnostic problem = Assert.Single(result.AnalyzerDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
            Assert.Equal("CNN003", problem.Id);
            Assert.Equal(message, problem.GetMessage());
            Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id == "CNN008");
            result.AssertPlaceholdersOnly();
        }
    }
}

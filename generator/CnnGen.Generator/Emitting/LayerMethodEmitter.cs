using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting
{
    /// <summary>
    /// The public static method of each conv, pool and fully-connected layer: the layer alone, on spans in PyTorch's
    /// layout, with its shapes and formula in its XML docs. A kernel that reads a repacked weight gets it from a
    /// per-thread cache that repacks only when the weight passed differs from the last one.
    /// </summary>
    internal static class LayerMethodEmitter
    {
        public static void Emit(SourceWriter w, LayerPlan plan)
        {
            LayerModel l = plan.Layer;
            string name = l.Name;
            w.Line("/// <summary>" + LayerText.Describe(l) + LayerText.Parameters(l) + ".</summary>");
            w.Line("/// <remarks>");
            Window? window = l.Window;
            switch (l.Kind)
            {
                case LayerKind.Conv:
                {
                    string fy = LayerText.Times("fy", window!.DilationY), fx = LayerText.Times("fx", window.DilationX);
                    int perGroup = l.Output.Depth / l.Groups;
                    string channel = l.Groups == 1 ? "d" : l.GroupDepth > 1 ? "g*" + l.GroupDepth + " + d" : perGroup == 1 ? "k" : "k / " + perGroup;
                    string terms = l.Groups == 1 ? "d, fy, fx" : l.GroupDepth > 1 ? "d = 0 .. " + (l.GroupDepth - 1) + ", fy, fx" : "fy, fx";
                    string group = l.Groups == 1 ? "."
                        : l.GroupDepth > 1 ? ", where g = k / " + perGroup + " is the filter's group (" + l.Groups + " groups of " + l.GroupDepth + " channels)."
                        : " (depthwise: " + (perGroup == 1 ? "filter k reads channel k only)." : perGroup + " filters per channel, filter k reads channel k / " + perGroup + ").");
                    w.Doc(
                        "Convolution alone (" + (l.HasBias ? "bias added, " : "no bias, ") + "no activation): out[k, y, x] = " + (l.HasBias ? "bias[k] + " : string.Empty) + "sum over " + terms + " of",
                        "weight[k, " + (l.GroupDepth > 1 || l.Groups == 1 ? "d" : "0") + ", fy, fx] * in[" + channel + ", " + Origin("y", window.StrideY, window.PadTop) + " + " + fy + ", " + Origin("x", window.StrideX, window.PadLeft) + " + " + fx + "], reading zero outside the input" + group,
                        "Input " + l.Input + " CHW, weight " + LayerText.WeightShape(l) + (l.HasBias ? ", bias [" + l.Output.Depth + "]" : string.Empty) + ", output " + l.Output + " CHW.");
                    break;
                }

                case LayerKind.MaxPool:
                    w.Doc(
                        "Max pool of each activation map: out[d, y, x] = max over the " + window!.SizeX + "x" + window.SizeY + " window" + (window.IsDilated ? " (taps " + window.DilationX + " apart across, " + window.DilationY + " down)" : string.Empty) + " at (" + Origin("y", window.StrideY, window.PadTop) + ", " + Origin("x", window.StrideX, window.PadLeft) + ") of in[d];",
                        "cells outside the input are -infinity and a NaN in a window gives NaN, as torch.nn.functional.max_pool2d.",
                        "Input " + l.Input + " CHW, output " + l.Output + " CHW.");
                    break;
                case LayerKind.AvgPool:
                    w.Doc(
                        "Average pool of each activation map: out[d, y, x] = the sum over the " + window!.SizeX + "x" + window.SizeY + " window at (" + Origin("y", window.StrideY, window.PadTop) + ", " + Origin("x", window.StrideX, window.PadLeft) + ") of in[d],",
                        "divided by the window's cells inside the input" + (l.CountIncludePadding ? " and its padding" : string.Empty) + " (never those past the padding), as torch.nn.functional.avg_pool2d with count_include_pad=" + (l.CountIncludePadding ? "True" : "False") + ".",
                        "Input " + l.Input + " CHW, output " + l.Output + " CHW.");
                    break;
                case LayerKind.BatchNorm:
                    w.Doc(
                        "Batch norm in evaluation mode: out[d, y, x] = (in[d, y, x] - runningMean[d]) / sqrt(runningVar[d] + " + Text.FloatLiteral(l.Value) + ") * weight[d] + bias[d],",
                        "as torch.nn.functional.batch_norm with training=False. Input and output " + l.Input + " CHW; weight, bias, running mean and variance [" + l.Input.Depth + "] each.");
                    break;
                case LayerKind.GlobalAvgPool:
                case LayerKind.GlobalMaxPool:
                    w.Doc(
                        (l.Kind == LayerKind.GlobalAvgPool ? "Global average pool: out[d] = the mean of in[d] over its " : "Global max pool: out[d] = the largest of in[d] over its ") + l.Input.Plane + " cells" +
                        (l.Kind == LayerKind.GlobalAvgPool ? " (adaptive_avg_pool2d(x, 1))." : ", NaN if any is NaN (adaptive_max_pool2d(x, 1))."),
                        "Input " + l.Input + " CHW, output " + l.Output + ".");
                    break;
                default:
                    w.Doc(
                        "Fully connected (no activation): out[o] = " + (l.HasBias ? "bias[o] + " : string.Empty) + "sum over i of weight[o, i] * in[i], the input flattened CHW.",
                        "Input " + l.Input.Length + ", weight " + LayerText.WeightShape(l) + (l.HasBias ? ", bias [" + l.Output.Depth + "]" : string.Empty) + ", output " + l.Output.Depth + ".");
                    break;
            }

            if (plan.Vector is { PackedLength: > 0 })
            {
                w.Doc("The vector kernel reads the weight repacked; each thread keeps the last one it packed and repacks only when a different weight comes.");
            }

            w.Line("/// </remarks>");
            w.Doc("<param name=\"input\">The input volume, " + Text.Literal(l.Input.Length) + " floats.</param>");
            if (l.HasParameters)
            {
                w.Doc("<param name=\"weight\">The weight, " + Text.Literal(l.Weight.Length) + " floats in PyTorch layout.</param>");
            }

            if (l.HasParameters && l.HasBias)
            {
                w.Doc("<param name=\"bias\">The bias, " + Text.Literal(l.Bias.Length) + " floats.</param>");
            }

            if (l.Kind == LayerKind.BatchNorm)
            {
                w.Doc(
                    "<param name=\"weight\">The scale (gamma), " + l.Input.Depth + " floats.</param>",
                    "<param name=\"bias\">The shift (beta), " + l.Input.Depth + " floats.</param>",
                    "<param name=\"runningMean\">The running mean, " + l.Input.Depth + " floats.</param>",
                    "<param name=\"runningVar\">The running variance, " + l.Input.Depth + " floats.</param>");
            }

            w.Doc(
                "<param name=\"output\">Receives the output volume, " + Text.Literal(l.Output.Length) + " floats; it may overlap the input (the input is then copied first).</param>",
                "<exception cref=\"global::System.ArgumentException\">A span has the wrong length; nothing is written.</exception>");
            w.Line(Code.GeneratedCode);
            string parameters = l.HasParameters
                ? Code.ReadOnlySpan + " input, " + Code.ReadOnlySpan + " weight, " + (l.HasBias ? Code.ReadOnlySpan + " bias, " : string.Empty) + Code.Span + " output"
                : l.Kind == LayerKind.BatchNorm
                ? Code.ReadOnlySpan + " input, " + Code.ReadOnlySpan + " weight, " + Code.ReadOnlySpan + " bias, " + Code.ReadOnlySpan + " runningMean, " + Code.ReadOnlySpan + " runningVar, " + Code.Span + " output"
                : Code.ReadOnlySpan + " input, " + Code.Span + " output";

            // A layer without a bias whose kernels add one (a batch norm is folded into it in Forward) adds zeros here.
            string bias = l.HasBias ? "bias" : plan.FoldedBias ? "new " + Code.ReadOnlySpan + "(" + GeneratedNames.ZeroBias + ", 0, " + l.Output.Depth + ")" : "default";
            if (name == "Main")
            {
                // A layer named Main (the contract's own residual example) gets a static method Main; in an executable the
                // compiler would warn that it has the wrong signature for an entry point (CS0028), which it is not meant to be.
                // With top-level statements the compiler says instead that it ignores this Main as an entry point (CS7022).
                w.Line("#pragma warning disable CS0028, CS7022 // " + name + " is a layer method, not the program's entry point");
            }

            using (w.Block("public static void " + l.Identifier + "(" + parameters + ")"))
            {
                w.Line(Code.Check + ".Length(input.Length, " + GeneratedNames.LayerInputLength(name) + ", \"input\", \"" + GeneratedNames.LayerInputLength(name) + " = " + l.Input + "\");");
                if (l.HasParameters)
                {
                    w.Line(Code.Check + ".Length(weight.Length, " + GeneratedNames.WeightLength(name) + ", \"weight\", \"" + GeneratedNames.WeightLength(name) + "\");");
                    if (l.HasBias)
                    {
                        w.Line(Code.Check + ".Length(bias.Length, " + GeneratedNames.BiasLength(name) + ", \"bias\", \"" + GeneratedNames.BiasLength(name) + "\");");
                    }
                }

                if (l.Kind == LayerKind.BatchNorm)
                {
                    foreach (string statistic in new[] { "weight", "bias", "runningMean", "runningVar" })
                    {
                        w.Line(Code.Check + ".Length(" + statistic + ".Length, " + l.Input.Depth + ", \"" + statistic + "\", \"" + GeneratedNames.LayerInputLength(name).Replace("InputLength", "InputDepth") + "\");");
                    }
                }

                w.Line(Code.Check + ".Length(output.Length, " + GeneratedNames.LayerOutputLength(name) + ", \"output\", \"" + GeneratedNames.LayerOutputLength(name) + " = " + l.Output + "\");");
                w.Line("input = " + Code.Scratch + ".Unaliased(input, output, ref " + GeneratedNames.InputCopy + "); // called in place: the kernels read a copy");
                if (l.Kind == LayerKind.BatchNorm)
                {
                    w.Line("global::CnnGen.Runtime.GraphKernels.BatchNorm(input, output, weight, bias, runningMean, runningVar, " + Text.FloatLiteral(l.Value) + ", " + l.Input.Depth + ", " + Text.Literal(l.Input.Plane) + ", relu: false);");
                }
                else if (l.Kind is LayerKind.GlobalAvgPool or LayerKind.GlobalMaxPool)
                {
                    w.Line("global::CnnGen.Runtime.GraphKernels." + l.Kind + "(input, output, " + l.Input.Depth + ", " + Text.Literal(l.Input.Plane) + ");");
                }
                else if (!l.HasParameters)
                {
                    Kernels.DispatchEmitter.Emit(w, plan, "input, output", "input, output");
                }
                else if (plan.Vector is { PackedLength: > 0 } vector)
                {
                    w.Line("// The vector kernels read the weight repacked (the scalar kernel reads it as it is).");
                    w.Line(Code.ReadOnlySpan + " packed = global::CnnGen.Kernels.Current != global::CnnGen.KernelPath.Scalar ? global::CnnGen.Runtime.PackCache.Get(ref " + GeneratedNames.PackCache(name) + ", weight, " + Text.Literal(vector.PackedLength) + ", " + Packing.Packer(plan) + ") : default;");
                    Kernels.DispatchEmitter.Emit(w, plan, "input, packed, " + bias + ", output, relu: false", "input, weight, " + bias + ", output, relu: false");
                }
                else
                {
                    Kernels.DispatchEmitter.Emit(w, plan, "input, weight, " + bias + ", output, relu: false", "input, weight, " + bias + ", output, relu: false");
                }
            }

            if (name == "Main")
            {
                w.Line("#pragma warning restore CS0028, CS7022");
            }

            if (l.HasParameters && plan.Vector is { PackedLength: > 0 })
            {
                w.Line();
                w.Line("// " + name + "'s repacked weight for this thread's calls of " + name + ", with the weight it was packed from.");
                w.Line(Code.GeneratedCode);
                w.Line("[global::System.ThreadStatic] private static global::CnnGen.Runtime.PackCache? " + GeneratedNames.PackCache(name) + ";");
            }

            w.Line();
        }

        /// <summary>"y*2 - 1", "x": where a window starts on one axis.</summary>
        private static string Origin(string variable, int stride, int padding) =>
            (stride == 1 ? variable : variable + "*" + stride) + (padding == 0 ? string.Empty : " - " + padding);
    }

    /// <summary>How a layer's PyTorch-layout weight becomes the layout its vector kernel reads.</summary>
    internal static class Packing
    {
        /// <summary>A static lambda that repacks <c>source</c> into <c>target</c> (no allocation: static lambdas are cached).</summary>
        public static string Packer(LayerPlan plan) => "static (source, target) => " + Call(plan, "source", "target");

        /// <summary>The call that repacks <paramref name="weight"/> into <paramref name="packed"/>.</summary>
        public static string Call(LayerPlan plan, string weight, string packed)
        {
            LayerModel l = plan.Layer;
            return plan.Vector switch
            {
                ConvFiltersPlan => Code.Layout + ".Transpose(" + weight + ", " + l.Output.Depth + ", " + Text.Literal((long)l.GroupDepth * l.Window!.Taps) + ", " + packed + ")",
                DepthwiseChannelsPlan => Code.Layout + ".Transpose(" + weight + ", " + l.Output.Depth + ", " + l.Window!.Taps + ", " + packed + ")",
                ConvPositionsPlan => Code.Layout + ".PackFilterBlocks(" + weight + ", " + l.Output.Depth + ", " + Text.Literal((long)l.GroupDepth * l.Window!.Taps) + ", " + ConvPositionsPlan.PackBlock + ", " + packed + ")",
                FullyConnectedPlan fc => Code.Layout + ".PackFullyConnectedWeight(" + weight + ", " + l.Output.Depth + ", " + Text.Literal(l.Input.Length) + ", " + fc.PaddedOutputs + ", " + packed + ")",
                _ => throw new System.InvalidOperationException(l.Name + " reads its weight unpacked"),
            };
        }
    }
}

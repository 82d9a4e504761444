using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using CnnGen.Shapes;

namespace CnnGen.Generator.Emitting
{
    /// <summary>The one-line descriptions of a layer used in comments and documentation.</summary>
    internal static class LayerText
    {
        /// <summary>"Conv2: 14x14x6 -> 10x10x16, F=5 S=1 P=0".</summary>
        public static string Describe(LayerModel layer)
        {
            string text = layer.Name + ": " + layer.Input + " -> " +
                (layer.Kind is LayerKind.FullyConnected or LayerKind.GlobalAvgPool or LayerKind.GlobalMaxPool ? Text.Literal(layer.Output.Depth) : layer.Output.ToString());
            if (layer.Window is { } window)
            {
                text += ", " + window;
                if (layer.Rounding != RoundingMode.Exact)
                {
                    text += " " + layer.Rounding;
                }
            }

            if (layer.Groups > 1)
            {
                text += layer.IsDepthwise ? " depthwise (groups " + layer.Groups + ")" : " groups " + layer.Groups;
            }

            if (layer.HasParameters && !layer.HasBias)
            {
                text += ", no bias";
            }

            if (layer.Kind == LayerKind.BatchNorm)
            {
                text += ", batch norm (eval), eps " + Text.Float(layer.Value);
            }

            if (layer.Kind is LayerKind.GlobalAvgPool or LayerKind.GlobalMaxPool)
            {
                text += layer.Kind == LayerKind.GlobalAvgPool ? ", each channel's mean" : ", each channel's max";
            }

            if (layer.Kind == LayerKind.AvgPool)
            {
                text += layer.CountIncludePadding ? ", padding counted in the divisor" : ", padding not counted in the divisor";
            }

            return text;
        }

        /// <summary>"y*2", or "y" for a factor of 1: a product as comments write it.</summary>
        public static string Times(string variable, int factor) => factor == 1 ? variable : variable + "*" + factor;

        /// <summary>", 2,416 parameters" for layers that have them.</summary>
        public static string Parameters(LayerModel layer)
        {
            long count = (long)layer.Weight.Length + layer.Bias.Length + layer.Mean.Length + layer.Variance.Length;
            return count > 0 ? ", " + Text.Grouped(count) + " parameters" : string.Empty;
        }

        /// <summary>What a layer without members computes, as a formula: "max(0, x)", "x + Main", "softmax over depth".</summary>
        public static string Formula(LayerModel layer) => layer.Kind switch
        {
            LayerKind.Relu => "max(0, x)",
            LayerKind.Relu6 => "min(max(0, x), 6)",
            LayerKind.LeakyRelu => "x, or " + Text.Float(layer.Value) + "*x below 0",
            LayerKind.Sigmoid => "1 / (1 + exp(-x))",
            LayerKind.Tanh => "tanh(x)",
            LayerKind.HardSwish => "x * min(max(x + 3, 0), 6) / 6",
            LayerKind.Silu => "x / (1 + exp(-x))",
            LayerKind.Softmax => "softmax over depth at each position (max subtracted)",
            LayerKind.Add => "element-wise sum",
            LayerKind.Concat => "stacked along depth into " + layer.Output,
            _ => LayerKinds.DisplayName(layer.Kind),
        };

        /// <summary>PyTorch's shape of the weight: "[16][6][5][5]" (filters, input depth per group, height, width) or "[120][400]".</summary>
        public static string WeightShape(LayerModel layer, string open = "[", string separator = "][", string close = "]") =>
            layer.Kind == LayerKind.Conv
                ? open + layer.Output.Depth + separator + layer.GroupDepth + separator + layer.Window!.SizeY + separator + layer.Window.SizeX + close
                : open + layer.Output.Depth + separator + Text.Literal(layer.Input.Length) + close;

        /// <summary>How the output size on one axis comes about: ", (14 - 5 + 2*0)/1 + 1 = 10" (floor(...) or ceil(...) when rounded).</summary>
        public static string AxisFormula(LayerModel layer, bool width)
        {
            Window window = layer.Window!;
            int input = width ? layer.Input.Width : layer.Input.Height;
            int size = width ? window.SizeX : window.SizeY;
            int dilation = width ? window.DilationX : window.DilationY;
            string extent = dilation == 1 ? Text.Literal(size) : "(" + dilation + "*(" + size + " - 1) + 1)";
            int stride = width ? window.StrideX : window.StrideY;
            int before = width ? window.PadLeft : window.PadTop, after = width ? window.PadRight : window.PadBottom;
            string padding = before == after ? "2*" + before : before + " + " + after;
            string quotient = "(" + input + " - " + extent + " + " + padding + ")/" + stride;
            string result = " + 1 = " + (width ? layer.Output.Width : layer.Output.Height);
            return layer.Rounding switch
            {
                RoundingMode.Floor => ", floor(" + quotient + ")" + result,
                RoundingMode.Ceil => ", ceil(" + quotient + ")" + result + " (less one when the last window would start past the input and its padding, as PyTorch's ceil_mode)",
                _ => ", " + quotient + result,
            };
        }

        /// <summary>What a kernel unrolls, for its comment: "fully unrolled" or "over the unroll budget of 256: …".</summary>
        public static string Unroll(LayerModel layer, UnrollLevel level) =>
            level == UnrollLevel.Full
                ? "fully unrolled"
                : "over the unroll budget of " + Unrolling.Budget + ": " + Unrolling.Describe(layer, level);
    }
}

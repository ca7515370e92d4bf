// The open-source libraries the harness page loads with <script> tags (jquery, underscore, backbone, handlebars).
declare const Backbone: any;
declare const _: any;
declare const $: any;
declare const Handlebars: any;

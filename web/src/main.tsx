import { render } from 'preact';
import { App } from './app.js';
import { restoreCredentialCookie } from './credential.js';
import './styles.css';

restoreCredentialCookie();
const root = document.getElementById('app');
if (root) render(<App />, root);
